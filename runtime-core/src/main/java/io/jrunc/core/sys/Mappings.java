package io.jrunc.core.sys;

import java.lang.foreign.MemorySegment;

/**
 * Memory the spawn machinery hands from the JVM to a child that has left the JVM: anonymous
 * reservations at chosen addresses, and sealed {@code memfd}s (the stub's ELF image, a child
 * program's image). Raw system calls through {@link Libc#syscall}; results are checked here
 * and errors name the operation.
 *
 * <table>
 *   <caption>Seals ({@code fcntl(F_ADD_SEALS)}, memfd_create(2))</caption>
 *   <tr><th>seal</th><th>what it forbids</th></tr>
 *   <tr><td>F_SEAL_WRITE</td><td>write(2), shared writable mappings</td></tr>
 *   <tr><td>F_SEAL_SHRINK, F_SEAL_GROW</td><td>any size change</td></tr>
 *   <tr><td>F_SEAL_SEAL</td><td>removing or adding seals</td></tr>
 * </table>
 */
public final class Mappings {
  private Mappings() {}

  public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
  public static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000,
      MAP_FIXED_NOREPLACE = 0x100000;
  private static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;
  private static final int F_ADD_SEALS = 1033;
  private static final int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

  /**
   * Reserves {@code size} bytes of zeroed, read-write, private memory near {@code hint}
   * (a hint, not a demand: the kernel picks another place if that one is taken). Pages cost
   * nothing until touched ({@code MAP_NORESERVE}).
   */
  public static MemorySegment reserve(long hint, long size) throws SysException {
    long addr = Libc.syscall("mmap", size + " bytes for a child program", Sys.MMAP, hint, size,
        PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return MemorySegment.ofAddress(addr).reinterpret(size);
  }

  /** {@code munmap}: failure would mean a wrong address, a bug, so it is not expected here. */
  public static void release(MemorySegment region) {
    Libc.syscallRaw(Sys.MUNMAP, region.address(), region.byteSize(), 0, 0, 0, 0);
  }

  /**
   * A new memfd holding exactly {@code length} bytes from {@code data}, with every seal
   * applied: nobody, not even a process that reopens it through /proc, can change it.
   * CLOEXEC in the runtime; a child that needs it clears the flag on its own copy.
   */
  public static int sealedMemfd(String name, MemorySegment data, long length) throws SysException {
    try (var arena = java.lang.foreign.Arena.ofConfined()) {
      MemorySegment n = NativeCopy.cString(arena, name);
      int fd = (int) Libc.syscall("memfd_create", name, Sys.MEMFD_CREATE, n.address(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
      try {
        long done = 0;
        while (done < length) {
          long w = Libc.syscallRaw(Sys.WRITE, fd, data.address() + done, length - done, 0, 0, 0);
          if (w == -Errno.EINTR) continue;
          if (w < 0) throw new SysException("write", "memfd " + name, (int) -w);
          done += w;
        }
        Libc.syscall("fcntl F_ADD_SEALS", "memfd " + name, Sys.FCNTL, fd, F_ADD_SEALS,
            F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
        return fd;
      } catch (SysException e) {
        Libc.close(fd);
        throw e;
      }
    }
  }
}
