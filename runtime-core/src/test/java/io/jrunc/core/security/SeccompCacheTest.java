package io.jrunc.core.security;

import static io.jrunc.core.security.SeccompCompilerTest.X86_64;
import static io.jrunc.core.security.SeccompCompilerTest.profile;
import static io.jrunc.core.security.SeccompCompilerTest.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.core.sys.LibSeccomp;
import io.jrunc.spec.LinuxSeccomp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cached filter is used only for exactly the profile it was compiled from, and a cache file
 * that is absent, damaged, for another key or not a regular file is compiled around, never
 * trusted and never hangs the caller.
 */
class SeccompCacheTest {
  @TempDir Path root;

  static final LinuxSeccomp DENY_MKDIR = profile("SCMP_ACT_ALLOW", List.of(rule("SCMP_ACT_ERRNO", 13L, null, "mkdir")));
  static final LinuxSeccomp DENY_KILL = profile("SCMP_ACT_ALLOW", List.of(rule("SCMP_ACT_ERRNO", 13L, null, "kill")));

  @BeforeEach
  void fresh() {
    assumeTrue(LibSeccomp.available(), "libseccomp.so.2 is not installed");
    SeccompCache.clearMemory();
  }

  private Path fileOf(LinuxSeccomp s) {
    return root.resolve(SeccompCache.fileName(SeccompCache.key(s)));
  }

  @Test
  void theCachedFilterIsTheCompiledOneFromMemoryAndFromTheFile() {
    CompiledSeccomp direct = SeccompCompiler.compile(DENY_MKDIR);
    CompiledSeccomp first = SeccompCache.compile(DENY_MKDIR, root);
    assertThat(first.program()).isEqualTo(direct.program());
    assertThat(fileOf(DENY_MKDIR)).isRegularFile();
    assertThat(fileOf(DENY_MKDIR).getFileName().toString()).startsWith("seccomp@");
    assertThat(SeccompCache.compile(DENY_MKDIR, root)).isSameAs(first); // memory

    SeccompCache.clearMemory(); // as a fresh CLI JVM: from the file
    CompiledSeccomp fromFile = SeccompCache.compile(DENY_MKDIR, root);
    assertThat(fromFile).isNotSameAs(first);
    assertThat(fromFile.program()).isEqualTo(direct.program());
    assertThat(fromFile.filterFlags()).isEqualTo(direct.filterFlags());
    assertThat(fromFile.usesNotify()).isEqualTo(direct.usesNotify());
    assertThat(fromFile.rules()).isEqualTo(direct.rules());
    assertThat(Bpf.run(fromFile.program(), X86_64, SeccompCompilerTest.NR_MKDIR)).isEqualTo(0x00050000 | 13);
  }

  @Test
  void anotherProfileIsNeverServedTheFirstOnesFilter() {
    CompiledSeccomp mkdir = SeccompCache.compile(DENY_MKDIR, root);
    CompiledSeccomp kill = SeccompCache.compile(DENY_KILL, root);
    assertThat(kill.program()).isNotEqualTo(mkdir.program());
    assertThat(Bpf.run(kill.program(), X86_64, SeccompCompilerTest.NR_KILL)).isEqualTo(0x00050000 | 13);
    assertThat(Bpf.run(kill.program(), X86_64, SeccompCompilerTest.NR_MKDIR)).isEqualTo(SeccompCompilerTest.ALLOW);
  }

  @Test
  void aFileForAnotherKeyUnderThisNameIsIgnoredAndReplaced() throws IOException {
    // DENY_KILL's entry planted under DENY_MKDIR's name (a CRC collision, or a hostile write)
    SeccompCache.compile(DENY_KILL, root);
    Files.copy(fileOf(DENY_KILL), fileOf(DENY_MKDIR));
    SeccompCache.clearMemory();
    CompiledSeccomp c = SeccompCache.compile(DENY_MKDIR, root);
    assertThat(Bpf.run(c.program(), X86_64, SeccompCompilerTest.NR_MKDIR)).isEqualTo(0x00050000 | 13);
    assertThat(Bpf.run(c.program(), X86_64, SeccompCompilerTest.NR_KILL)).isEqualTo(SeccompCompilerTest.ALLOW);
    SeccompCache.clearMemory();
    assertThat(SeccompCache.read(fileOf(DENY_MKDIR), SeccompCache.key(DENY_MKDIR))).isNotNull(); // rewritten
  }

  @Test
  void damagedOrHostileFilesAreCompiledAround() throws Exception {
    CompiledSeccomp good = SeccompCompiler.compile(DENY_MKDIR);
    Path f = fileOf(DENY_MKDIR);
    SeccompCache.compile(DENY_MKDIR, root);
    byte[] whole = Files.readAllBytes(f);
    String key = SeccompCache.key(DENY_MKDIR);
    for (int cut : new int[] {0, 3, 40, whole.length - 9, whole.length - 1}) {
      Files.write(f, Arrays.copyOf(whole, cut));
      assertThat(SeccompCache.read(f, key)).as("cut at " + cut).isNull();
    }
    byte[] longer = Arrays.copyOf(whole, whole.length + 8);
    Files.write(f, longer);
    assertThat(SeccompCache.read(f, key)).as("trailing bytes").isNull();
    byte[] lengthLie = whole.clone();
    lengthLie[whole.length - good.program().length - 1] ^= 0x7f; // the program's length, low byte
    Files.write(f, lengthLie);
    assertThat(SeccompCache.read(f, key)).as("wrong length").isNull();

    Files.delete(f);
    Files.createSymbolicLink(f, root.resolve("elsewhere"));
    Files.write(root.resolve("elsewhere"), whole);
    assertThat(SeccompCache.read(f, key)).as("a symbolic link").isNull();

    Files.delete(f);
    Process mkfifo = new ProcessBuilder("mkfifo", f.toString()).start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    SeccompCache.clearMemory();
    long t0 = System.nanoTime();
    CompiledSeccomp c = SeccompCache.compile(DENY_MKDIR, root); // must not block on the FIFO
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    assertThat(c.program()).isEqualTo(good.program());
  }

  @Test
  void theFilesAreBoundedTheOldestGoFirst() throws IOException {
    for (int i = 0; i < SeccompCache.FILE_ENTRIES + 5; i++) {
      Path old = root.resolve("seccomp@old" + i);
      Files.write(old, new byte[] {1});
      Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(1_000_000L * (i + 1)));
    }
    Files.write(root.resolve("a-container-file"), new byte[] {1});
    SeccompCache.compile(DENY_MKDIR, root);
    try (var files = Files.list(root)) {
      List<String> names = files.map(p -> p.getFileName().toString()).toList();
      assertThat(names.stream().filter(n -> n.startsWith("seccomp@"))).hasSize(SeccompCache.FILE_ENTRIES);
      assertThat(names).contains(fileOf(DENY_MKDIR).getFileName().toString(), "a-container-file")
          .doesNotContain("seccomp@old0", "seccomp@old5").contains("seccomp@old6");
    }
  }

  @Test
  void withoutAStateRootTheFilterStaysInMemoryOnly() throws IOException {
    Path missing = root.resolve("not-made-yet");
    CompiledSeccomp c = SeccompCache.compile(DENY_MKDIR, missing);
    assertThat(c.program()).isEqualTo(SeccompCompiler.compile(DENY_MKDIR).program());
    assertThat(missing).doesNotExist();
    try (var files = Files.list(root)) {
      assertThat(files).isEmpty(); // no temporary file left either
    }
  }
}
