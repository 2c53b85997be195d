package io.jrunc.core.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The raw system call stub against the kernel, and the glibc path it replaces against the same
 * calls: both must give the result, or the same -errno, for every argument position (the
 * sixth travels on the stack).
 */
class SyscallStubTest {
  /** One way to make system call {@code n}. */
  private interface Path6 {
    long call(Sys nr, long a0, long a1, long a2, long a3, long a4, long a5);
  }

  private static final Path6 STUB = Libc::syscallRaw;
  private static final Path6 GLIBC = (nr, a0, a1, a2, a3, a4, a5) ->
      Libc.viaLibc(Arch.current().nr(nr), a0, a1, a2, a3, a4, a5);

  @Test
  void theStubIsMappedOnX8664() {
    // the machine runs x86-64 and allows PROT_EXEC mappings (the trampoline needs them too)
    assertThat(SyscallStub.code(Arch.current())).isNotNull();
    assertThat(Libc.usesStub()).isTrue();
  }

  @Test
  void resultsAndErrnosMatchTheKernelOnBothPaths() {
    for (Path6 p : new Path6[] {STUB, GLIBC}) {
      assertThat(p.call(Sys.GETPID, 0, 0, 0, 0, 0, 0)).isEqualTo(ProcessHandle.current().pid());
      assertThat(p.call(Sys.CLOSE, -1, 0, 0, 0, 0, 0)).isEqualTo(-Errno.EBADF);
      try (Arena a = Arena.ofConfined()) {
        MemorySegment missing = a.allocateFrom("/nonexistent/jrunc-syscall-stub-test");
        assertThat(p.call(Sys.OPENAT, Open.AT_FDCWD, missing.address(), Open.O_RDONLY, 0, 0, 0))
            .isEqualTo(-Errno.ENOENT);
      }
    }
  }

  @Test
  void allSixArgumentsReachTheKernel(@TempDir Path dir) throws Exception {
    // mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, offset): the offset is the sixth argument,
    // the one passed on the stack; page 1 of the file holds 'B's, page 0 'A's
    Path f = dir.resolve("two-pages");
    byte[] data = new byte[8192];
    Arrays.fill(data, 0, 4096, (byte) 'A');
    Arrays.fill(data, 4096, 8192, (byte) 'B');
    Files.write(f, data);
    int fd = Libc.open(f.toString(), Open.O_RDONLY | Open.O_CLOEXEC, 0);
    try {
      for (Path6 p : new Path6[] {STUB, GLIBC}) {
        long addr = p.call(Sys.MMAP, 0, 4096, Mappings.PROT_READ, Mappings.MAP_PRIVATE, fd, 4096);
        assertThat(addr).isPositive();
        byte first = MemorySegment.ofAddress(addr).reinterpret(4096).get(ValueLayout.JAVA_BYTE, 0);
        assertThat((char) first).isEqualTo('B');
        assertThat(p.call(Sys.MUNMAP, addr, 4096, 0, 0, 0, 0)).isZero();
        // an offset that is not a multiple of the page size
        assertThat(p.call(Sys.MMAP, 0, 4096, Mappings.PROT_READ, Mappings.MAP_PRIVATE, fd, 1))
            .isEqualTo(-Errno.EINVAL);
      }
    } finally {
      Libc.close(fd);
    }
  }
}
