package io.jrunc.core.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The bounded reader on real files: what it reads, what it refuses (without blocking), and the words. */
@Timeout(30) // a FIFO must never block a read: a hang fails the test
class BoundedFileTest {
  @TempDir Path tmp;

  @Test
  void readsARegularFileWhole() throws Exception {
    Path f = tmp.resolve("a.json");
    byte[] data = new byte[200_000];
    for (int i = 0; i < data.length; i++) data[i] = (byte) ('a' + i % 26);
    Files.write(f, data);
    assertThat(BoundedFile.read(f, "a.json", 1 << 20, BoundedFile.Links.REFUSE)).isEqualTo(data);
    assertThat(BoundedFile.read(f, "a.json", data.length, BoundedFile.Links.REFUSE)).isEqualTo(data);
  }

  @Test
  void aFileOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
    Path f = tmp.resolve("sparse.json");
    try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
      r.setLength(2L << 30); // sparse: reading it would take 2 GB of heap
    }
    assertThatThrownBy(() -> BoundedFile.read(f, "config.json", BoundedFile.JSON_LIMIT, BoundedFile.Links.FOLLOW))
        .isInstanceOf(BoundedFile.RefusedException.class)
        .hasMessage("config.json: " + f + " is 2147483648 bytes, over the 16 MiB limit for config.json");
    Files.write(f, new byte[11]);
    assertThatThrownBy(() -> BoundedFile.read(f, "x", 10, BoundedFile.Links.FOLLOW)).hasMessageContaining("over the 10 bytes limit");
  }

  @Test
  void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
    Path f = tmp.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", f.toString()).start().waitFor()).isZero();
    assertThatThrownBy(() -> BoundedFile.read(f, "config.json", BoundedFile.JSON_LIMIT, BoundedFile.Links.FOLLOW))
        .isInstanceOf(BoundedFile.RefusedException.class)
        .hasMessage("config.json: " + f + " is a FIFO, not a regular file: refused, as reading it could block or never end");
  }

  /**
   * A document named on a command line may be a pipe, as runc reads {@code exec -p <(...)}: a
   * writer that comes after the open and writes in two parts is read to its close; one that never
   * comes is refused after the wait; a device is still refused.
   */
  @Test
  void aPipeNamedOnACommandLineIsReadToItsEndWithinTheWait() throws Exception {
    Path f = tmp.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", f.toString()).start().waitFor()).isZero();
    Thread writer = Thread.ofPlatform().start(() -> {
      try (var out = new java.io.FileOutputStream(f.toFile())) { // blocks until the reader's open
        Thread.sleep(100); // the reader polls meanwhile: a read now would say EOF
        out.write("{\"args\":".getBytes(StandardCharsets.UTF_8));
        out.flush();
        Thread.sleep(100);
        out.write("[\"true\"]}".getBytes(StandardCharsets.UTF_8));
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    assertThat(new String(BoundedFile.readArgument(f, "exec --process", BoundedFile.JSON_LIMIT), StandardCharsets.UTF_8))
        .isEqualTo("{\"args\":[\"true\"]}");
    writer.join();

    long t0 = System.nanoTime();
    assertThatThrownBy(() -> BoundedFile.readArgument(f, "exec --process", BoundedFile.JSON_LIMIT, 300))
        .isInstanceOf(BoundedFile.RefusedException.class)
        .hasMessage("exec --process: " + f + " is a FIFO that did not reach its end within 0.3 s: refused, as reading it"
            + " could block or never end");
    assertThat((System.nanoTime() - t0) / 1_000_000L).isBetween(250L, 5_000L);

    Path regular = tmp.resolve("p.json");
    Files.writeString(regular, "{}");
    assertThat(BoundedFile.readArgument(regular, "exec --process", BoundedFile.JSON_LIMIT)).containsExactly('{', '}');
    assertThatThrownBy(() -> BoundedFile.readArgument(Path.of("/dev/null"), "exec --process", BoundedFile.JSON_LIMIT))
        .hasMessage("exec --process: /dev/null is a character device, not a regular file: refused, as reading it could"
            + " block or never end");
  }

  @Test
  void aLinkIsFollowedOrRefusedAsAsked() throws Exception {
    Path zero = tmp.resolve("zero");
    Files.createSymbolicLink(zero, Path.of("/dev/zero"));
    assertThatThrownBy(() -> BoundedFile.read(zero, "config.json", BoundedFile.JSON_LIMIT, BoundedFile.Links.FOLLOW))
        .hasMessageContaining("is a character device, not a regular file");
    Path target = tmp.resolve("t");
    Files.writeString(target, "{}");
    Path link = tmp.resolve("link");
    Files.createSymbolicLink(link, target);
    assertThat(BoundedFile.read(link, "x", 10, BoundedFile.Links.FOLLOW)).isEqualTo("{}".getBytes());
    assertThatThrownBy(() -> BoundedFile.read(link, "state.json", 10, BoundedFile.Links.REFUSE))
        .isInstanceOf(BoundedFile.RefusedException.class)
        .hasMessageContaining("state.json: " + link + " is a symbolic link");
  }

  @Test
  void directoriesSocketsAndMissingFiles() throws Exception {
    assertThatThrownBy(() -> BoundedFile.read(tmp, "x", 10, BoundedFile.Links.FOLLOW)).hasMessageContaining("is a directory");
    assertThatThrownBy(() -> BoundedFile.read(tmp.resolve("none"), "x", 10, BoundedFile.Links.FOLLOW))
        .isInstanceOf(NoSuchFileException.class);
    Path sock = tmp.resolve("s");
    try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      ch.bind(java.net.UnixDomainSocketAddress.of(sock));
      assertThatThrownBy(() -> BoundedFile.read(sock, "x", 10, BoundedFile.Links.FOLLOW)).hasMessageContaining("is a socket");
    }
  }

  /**
   * readOwn (state.json, the saved config.json: no downcall) reads what read with REFUSE reads
   * and refuses what it refuses, in the same words: links, FIFOs (without blocking), devices
   * behind no link, directories, sockets, files over the limit; missing is NoSuchFileException.
   */
  @Test
  void ownFilesAreReadAndRefusedAsReadRefusesThem() throws Exception {
    Path f = tmp.resolve("state.json");
    byte[] data = letters(f);
    assertThat(BoundedFile.readOwn(f, "state.json", 1 << 20)).isEqualTo(data);
    assertThat(BoundedFile.readOwn(f, "state.json", data.length)).isEqualTo(data);
    Files.write(tmp.resolve("empty"), new byte[0]);
    assertThat(BoundedFile.readOwn(tmp.resolve("empty"), "x", 10)).isEmpty();
    Path fifo = tmp.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path link = tmp.resolve("link");
    Files.createSymbolicLink(link, f);
    Path sock = tmp.resolve("s");
    try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      ch.bind(java.net.UnixDomainSocketAddress.of(sock));
      for (Path p : List.of(fifo, link, tmp, sock, Path.of("/dev/null"))) {
        refusedAlike(p, () -> BoundedFile.readOwn(p, "state.json", 1 << 20),
            () -> BoundedFile.read(p, "state.json", 1 << 20, BoundedFile.Links.REFUSE));
      }
    }
    assertThatThrownBy(() -> BoundedFile.readOwn(f, "state.json", data.length - 1))
        .isInstanceOf(BoundedFile.RefusedException.class)
        .hasMessage("state.json: " + f + " is 100000 bytes, over the 99999 bytes limit for state.json");
    assertThatThrownBy(() -> BoundedFile.readOwn(tmp.resolve("none"), "state.json", 10)).isInstanceOf(NoSuchFileException.class);
  }

  /**
   * readDocument (config.json, exec --process: NIO unless a link) reads and refuses exactly what
   * read with FOLLOW does, in the same words: a link is followed (to a file, to /dev/zero), a
   * FIFO is refused without waiting for a writer, and so are devices, directories, sockets and
   * files over the limit; missing is NoSuchFileException.
   */
  @Test
  void documentsAreReadAndRefusedAsReadWithFollowDoes() throws Exception {
    Path f = tmp.resolve("config.json");
    byte[] data = letters(f);
    assertThat(BoundedFile.readDocument(f, "config.json", 1 << 20)).isEqualTo(data);
    assertThat(BoundedFile.readDocument(f, "config.json", data.length)).isEqualTo(data);
    Path link = tmp.resolve("link");
    Files.createSymbolicLink(link, f);
    assertThat(BoundedFile.readDocument(link, "config.json", 1 << 20)).isEqualTo(data);
    Path fifo = tmp.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    Path fifoLink = tmp.resolve("fifo-link");
    Files.createSymbolicLink(fifoLink, fifo);
    Path zero = tmp.resolve("zero");
    Files.createSymbolicLink(zero, Path.of("/dev/zero"));
    Path sparse = tmp.resolve("sparse.json");
    try (RandomAccessFile r = new RandomAccessFile(sparse.toFile(), "rw")) {
      r.setLength(2L << 30);
    }
    Path sock = tmp.resolve("s");
    try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      ch.bind(java.net.UnixDomainSocketAddress.of(sock));
      for (Path p : List.of(fifo, fifoLink, zero, tmp, sock, sparse, Path.of("/dev/null"))) {
        refusedAlike(p, () -> BoundedFile.readDocument(p, "config.json", BoundedFile.JSON_LIMIT),
            () -> BoundedFile.read(p, "config.json", BoundedFile.JSON_LIMIT, BoundedFile.Links.FOLLOW));
      }
    }
    assertThatThrownBy(() -> BoundedFile.readDocument(fifo, "config.json", BoundedFile.JSON_LIMIT))
        .hasMessage("config.json: " + fifo + " is a FIFO, not a regular file: refused, as reading it could block or never end");
    assertThatThrownBy(() -> BoundedFile.readDocument(f, "config.json", data.length - 1))
        .isInstanceOf(BoundedFile.RefusedException.class)
        .hasMessage("config.json: " + f + " is 100000 bytes, over the 99999 bytes limit for config.json");
    assertThatThrownBy(() -> BoundedFile.readDocument(tmp.resolve("none"), "config.json", 10))
        .isInstanceOf(NoSuchFileException.class);
  }

  /** NIO's reason-less AccessDeniedException gets the descriptor path's words. */
  @Test
  void aDeniedReadSaysWhy() {
    var bare = new java.nio.file.AccessDeniedException("/b/config.json");
    assertThat(bare.getMessage()).isEqualTo("/b/config.json");
    assertThat(BoundedFile.withReason(bare)).hasMessage("/b/config.json: permission denied (EACCES)").hasCause(bare);
    var given = new java.nio.file.AccessDeniedException("/b/x", null, "why");
    assertThat(BoundedFile.withReason(given)).isSameAs(given);
  }

  @Test
  void procfsFilesReportSizeZeroAndAreStillBounded() throws Exception {
    assertThat(new String(BoundedFile.read(Path.of("/proc/self/status"), "status", 1 << 20, BoundedFile.Links.FOLLOW)))
        .contains("Uid:");
    assertThatThrownBy(() -> BoundedFile.read(Path.of("/proc/self/status"), "status", 16, BoundedFile.Links.FOLLOW))
        .hasMessageContaining("grew past the 16 bytes limit");
    assertThat(BoundedFile.readKernelFile(Path.of("/proc/self/status"), 1 << 20)).contains("Uid:");
    assertThatThrownBy(() -> BoundedFile.readKernelFile(Path.of("/proc/self/status"), 16))
        .isInstanceOf(BoundedFile.RefusedException.class);
    assertThatThrownBy(() -> BoundedFile.readKernelFile(tmp.resolve("none"), 16)).isInstanceOf(NoSuchFileException.class);
    // past the first buffer (4 KiB), whole; exactly at the limit, whole; one byte over, refused
    String big = "0123456789abcdef".repeat(1000) + "\u00e9";
    Path f = Files.writeString(tmp.resolve("big"), big);
    int size = (int) Files.size(f);
    assertThat(BoundedFile.readKernelFile(f, 1 << 20)).isEqualTo(big);
    assertThat(BoundedFile.readKernelFile(f, size)).isEqualTo(big);
    assertThatThrownBy(() -> BoundedFile.readKernelFile(f, size - 1)).isInstanceOf(BoundedFile.RefusedException.class)
        .hasMessageContaining("limit");
    assertThat(BoundedFile.readKernelFile(Files.writeString(tmp.resolve("empty"), ""), 16)).isEmpty();
  }

  @Test
  void linesInARootAreScannedWithinTheRoot() throws Exception {
    Path root = tmp.resolve("root");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/real"), "a:1\nb:2\nc:3");
    // absolute and climbing links resolve inside the root, as the container sees them
    Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/../../etc/real"));
    List<String> seen = new ArrayList<>();
    boolean stopped = BoundedFile.scanLinesInRoot(root, "/etc/passwd", "/etc/passwd", 1 << 20, 100, l -> {
      seen.add(l);
      return false;
    });
    assertThat(stopped).isFalse();
    assertThat(seen).containsExactly("a:1", "b:2", "c:3");
    seen.clear();
    assertThat(BoundedFile.scanLinesInRoot(root, "/etc/passwd", "/etc/passwd", 1 << 20, 100, l -> seen.add(l) && l.startsWith("b")))
        .isTrue();
    assertThat(seen).containsExactly("a:1", "b:2");
    // a link to a host file is the root's file of that name, here missing
    Files.delete(root.resolve("etc/passwd"));
    Files.createSymbolicLink(root.resolve("etc/passwd"), tmp.resolve("host-secret"));
    Files.writeString(tmp.resolve("host-secret"), "secret\n");
    assertThatThrownBy(() -> BoundedFile.scanLinesInRoot(root, "/etc/passwd", "/etc/passwd", 1 << 20, 100, l -> false))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void aLineOverTheLineLimitOrAFileOverTheLimitIsRefused() throws Exception {
    Path root = tmp.resolve("root");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "ok\n" + "x".repeat(70_000) + "\n");
    assertThatThrownBy(() -> BoundedFile.scanLinesInRoot(root, "/etc/passwd", "/etc/passwd", 1 << 20, 64 << 10, l -> false))
        .isInstanceOf(BoundedFile.RefusedException.class)
        .hasMessageContaining("has a line (line 2) longer than the 64 KiB limit");
    // across read chunks: no newline at all in 200 KiB
    Files.writeString(root.resolve("etc/passwd"), "y".repeat(200_000));
    assertThatThrownBy(() -> BoundedFile.scanLinesInRoot(root, "/etc/passwd", "/etc/passwd", 1 << 20, 64 << 10, l -> false))
        .hasMessageContaining("line 1");
    try (RandomAccessFile r = new RandomAccessFile(root.resolve("etc/passwd").toFile(), "rw")) {
      r.setLength(3L << 30);
    }
    assertThatThrownBy(() -> BoundedFile.scanLinesInRoot(root, "/etc/passwd", "/etc/passwd", BoundedFile.ACCOUNTS_LIMIT,
        64 << 10, l -> false)).hasMessageContaining("is 3221225472 bytes, over the 16 MiB limit for /etc/passwd");
  }

  @Test
  void aStreamIsCappedAndATailKeepsTheEnd() throws Exception {
    assertThat(BoundedFile.readStream(new ByteArrayInputStream(new byte[10]), "update --resources", "standard input", 10))
        .hasSize(10);
    assertThatThrownBy(() -> BoundedFile.readStream(new ByteArrayInputStream(new byte[11]), "update --resources",
        "standard input", 10)).hasMessage("update --resources: standard input is over the 10 bytes limit for update --resources");
    // an endless writer: only the last bytes are kept
    InputStream endless = new InputStream() {
      long n;

      @Override
      public int read() {
        return n < 1_000_003 ? (int) ('0' + n++ % 10) : -1;
      }
    };
    byte[] t = BoundedFile.tail(endless, 5);
    assertThat(new String(t, StandardCharsets.US_ASCII)).isEqualTo("89012");
    assertThat(BoundedFile.tail(new ByteArrayInputStream("ab".getBytes()), 5)).isEqualTo("ab".getBytes());
  }

  @Test
  void sizesAreWordedForPeople() {
    assertThat(BoundedFile.size(16 << 20)).isEqualTo("16 MiB");
    assertThat(BoundedFile.size(64 << 10)).isEqualTo("64 KiB");
    assertThat(BoundedFile.size(1000)).isEqualTo("1000 bytes");
  }

  /** 100,000 letters written to {@code f}; returns them. */
  private static byte[] letters(Path f) throws java.io.IOException {
    byte[] data = new byte[100_000];
    for (int i = 0; i < data.length; i++) data[i] = (byte) ('a' + i % 26);
    Files.write(f, data);
    return data;
  }

  /** {@code nio} refuses {@code p} as {@code read} does: a RefusedException with read's very message. */
  private static void refusedAlike(Path p, org.assertj.core.api.ThrowableAssert.ThrowingCallable nio,
      org.assertj.core.api.ThrowableAssert.ThrowingCallable read) {
    Throwable expected = org.assertj.core.api.Assertions.catchThrowable(read);
    assertThat(expected).as(p + " (read)").isInstanceOf(BoundedFile.RefusedException.class);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(nio)).as(p.toString())
        .isInstanceOf(BoundedFile.RefusedException.class).hasMessage(expected.getMessage());
  }
}
