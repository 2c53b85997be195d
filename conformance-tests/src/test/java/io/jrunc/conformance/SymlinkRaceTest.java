package io.jrunc.conformance;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The symlink-exchange races of runc's CVEs, run against jrunc while they race: a directory
 * on a mount destination's path is swapped, over and over, with a symlink (renameat2
 * RENAME_EXCHANGE from a thread of this JVM, as a second container sharing the volume would
 * do), while jrunc creates the container whose mounts go through it.
 *
 * <ul>
 *   <li>CVE-2024-45310 (empty files and directories made on the host) and CVE-2021-30465 (a
 *       mount made outside the rootfs): the symlink names a directory of the host. Whatever
 *       jrunc resolves, it resolves inside the rootfs: the host directory stays empty, and no
 *       mount of the host's is left under it.</li>
 *   <li>CVE-2019-19921 / CVE-2023-27561 (a volume mounted over /proc, which LSM labels then no
 *       longer cover): the symlink names /proc. A container that runs has its procfs at /proc.</li>
 * </ul>
 *
 * A control shows that the window is real: a plain path walk of the same name from the host
 * (one mkdir, as a runtime that joins paths and follows symlinks makes) lands in the host's
 * directory while the race runs. (Debian 12's runc 1.1.5, run 30 times on the first scenario's
 * bundle under the same race, left an empty file {@code f} in the host's directory: the
 * CVE-2024-45310 it predates.) A refusal is allowed, as runc refuses too ("possibly malicious
 * path"), if it names the raced path and says why.
 */
@RequiresRoot("runs containers with mounts")
class SymlinkRaceTest {
  @TempDir Path tmp;

  private static final int AT_FDCWD = -100;
  private static final int RENAME_EXCHANGE = 2;
  private static final MethodHandle RENAMEAT2 = Linker.nativeLinker().downcallHandle(
      Linker.nativeLinker().defaultLookup().find("renameat2").orElseThrow(),
      FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));

  /** Swaps {@code a} and {@code b} (a directory and a symlink) until closed; counts the swaps. */
  private static final class Racer implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong swaps = new AtomicLong();
    private final Thread thread;

    Racer(Path a, Path b) {
      thread = Thread.ofPlatform().daemon().start(() -> {
        try (Arena arena = Arena.ofConfined()) {
          MemorySegment pa = arena.allocateFrom(a.toString()), pb = arena.allocateFrom(b.toString());
          while (!stop.get()) {
            if ((int) RENAMEAT2.invokeExact(AT_FDCWD, pa, AT_FDCWD, pb, RENAME_EXCHANGE) == 0) swaps.incrementAndGet();
          }
        } catch (Throwable e) {
          throw new AssertionError(e);
        }
      });
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join();
    }
  }

  /** rootfs/vol/a, a directory, and rootfs/vol/b, a symlink to {@code target}: the pair raced. */
  private static Path[] racedPair(Bundle bundle, Path target) throws IOException {
    Path vol = Files.createDirectories(bundle.dir.resolve("rootfs/vol"));
    Path a = Files.createDirectory(vol.resolve("a"));
    Path b = Files.createSymbolicLink(vol.resolve("b"), target);
    return new Path[] {a, b};
  }

  private static void mount(Bundle b, String destination, String type, String source, String... options) {
    var m = ((ArrayNode) b.config.get("mounts")).addObject().put("destination", destination).put("type", type)
        .put("source", source);
    var o = m.putArray("options");
    for (String opt : options) o.add(opt);
  }

  /** A refusal names the raced path and says why: not a bare path (as NIO's exceptions say it). */
  private static void refusedClearly(Jrunc.Result r) {
    assertThat(r.err()).as(r.toString()).contains("/vol/a").doesNotMatch("(?s).*: /\\S*\"?\\s*$");
  }

  private static List<String> mountsUnder(Path dir) throws IOException {
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
        .filter(p -> p.startsWith(dir.toString())).toList();
  }

  private static List<String> names(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aRacedSymlinkNeverTakesAMkdirAFileOrAMountOutOfTheRootfs() throws Exception {
    Path victim = Files.createDirectories(tmp.resolve("host-victim"));
    Path file = Files.writeString(tmp.resolve("host-file"), "bound\n");
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).args("true");
    Path[] pair = racedPair(b, victim);
    // a tmpfs two new directories down (mkdir, then mount), a file bound to a new file
    mount(b, "/vol/a/t1/t2", "tmpfs", "tmpfs", "nosuid");
    mount(b, "/vol/a/f", "bind", file.toString(), "bind");
    String bundle = b.write().toString();

    List<String> outcomes = new ArrayList<>();
    int landed = 0;
    try (Racer racer = new Racer(pair[0], pair[1])) {
      // the control: a plain mkdir through the raced name reaches the host's directory
      for (int i = 0; i < 2000 && landed == 0; i++) {
        Path through = pair[0].resolve("control-" + i);
        try {
          Files.createDirectory(through);
        } catch (IOException e) {
          continue;
        }
        if (Files.deleteIfExists(victim.resolve("control-" + i))) landed++; // else in the rootfs's directory
      }
      for (int i = 0; i < 30; i++) {
        var r = j.run("run", "--bundle", bundle, "race-" + i);
        outcomes.add(r.exit() + (r.exit() == 0 ? "" : " " + r.err().strip()));
        assertThat(r.exit()).as(r.toString()).isIn(0, 1);
        if (r.exit() != 0) refusedClearly(r);
      }
      assertThat(racer.swaps.get()).as("swaps while jrunc ran").isPositive();
    }
    assertThat(landed).as("a plain mkdir through the raced name lands on the host at least once").isPositive();
    assertThat(names(victim)).as("the host's directory after 30 racing runs: %s", outcomes).isEmpty();
    assertThat(mountsUnder(tmp)).isEmpty();
    assertThat(Files.readString(file)).isEqualTo("bound\n");
    assertThat(j.run("list", "-q").out()).isEmpty();
  }

  @Test
  void aRacedSymlinkToProcNeverPutsAMountOverTheContainersProcfs() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("marker"), "from the host\n");
    Jrunc j = new Jrunc(tmp.resolve("root"));
    Bundle b = Bundle.busybox(tmp.resolve("b")).sh("stat -f -c %T /proc; test -e /proc/marker && echo covered; true");
    Path[] pair = racedPair(b, Path.of("/proc"));
    mount(b, "/vol/a", "bind", src.toString(), "bind");
    String bundle = b.write().toString();
    int ran = 0;
    try (Racer racer = new Racer(pair[0], pair[1])) {
      // 30 runs, and up to 30 more until one ran (about one in five does while it races)
      for (int i = 0; i < 60 && (i < 30 || ran == 0); i++) {
        var r = j.run("run", "--bundle", bundle, "race-proc-" + i);
        assertThat(r.exit()).as(r.toString()).isIn(0, 1);
        if (r.exit() == 0) {
          ran++;
          assertThat(r.out()).as(r.toString()).isEqualTo("proc\n");
        } else {
          refusedClearly(r);
        }
      }
      assertThat(racer.swaps.get()).as("swaps while jrunc ran").isPositive();
    }
    assertThat(ran).as("runs while the name was the directory").isPositive();
    assertThat(mountsUnder(tmp)).isEmpty();
    assertThat(j.run("list", "-q").out()).isEmpty();
  }
}
