package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * libc downcalls the parent (the JVM) makes. Each binding's handle lives in its own holder
 * class so it is linked on first use only (the CLI's start-up path links only what the
 * command needs) and constant-folded by the JIT. The C prototype is beside each binding.
 */
public final class Libc {
  private Libc() {}

  /**
   * The parent's system call entry: the {@link SyscallStub} (returns -errno itself, so no errno
   * capture, arena or VarHandle per call), or null where it could not be mapped or this
   * architecture has none.
   */
  private static final class SyscallH {
    static final Downcall RAW = SyscallStub.link();

    static {
      linked = RAW != null;
    }
  }

  /** Set once the system call entry is linked (see {@link #linked}). */
  private static volatile boolean linked;

  /**
   * Whether the system call entry is linked, asked without linking it or waiting for the link:
   * code that may run before it in a CLI call (create's planning, while the link runs on the
   * other core) takes the JDK's way until then, and the syscall afterwards (an answer by errno,
   * where the JDK's file API throws and catches for a missing file: two stack traces each).
   */
  public static boolean linked() {
    return linked;
  }

  /**
   * {@code long syscall(long number, ...);}, the fallback when there is no stub, bound with a
   * fixed shape of seven longs and errno captured. It is linked as a plain (non-variadic)
   * function on purpose: glibc's {@code syscall} is a few instructions of assembly that move
   * the argument registers and never look at the variadic-call state (%al on x86-64; on aarch64
   * Linux variadic integer arguments are passed as fixed ones), and linking a variadic handle
   * cost every CLI call ~15 ms more CPU in a fresh JVM (A/B in README).
   */
  private static final class LibcSyscallH {
    static final MethodHandle H = Native.libc("syscall", Native.Public.SEVEN_LONGS);
  }

  /**
   * A raw system call. Returns the result, or {@code -errno} on failure (the kernel's own
   * convention), so callers decide which errnos are errors.
   */
  public static long syscallRaw(Sys nr, long a0, long a1, long a2, long a3, long a4, long a5) {
    long n = Arch.current().nr(nr);
    Downcall raw = SyscallH.RAW;
    if (raw == null) return viaLibc(n, a0, a1, a2, a3, a4, a5);
    return raw.call(n, a0, a1, a2, a3, a4, a5);
  }

  /**
   * A system call that may wait on another process or the kernel for long (wait4 without
   * WNOHANG, ppoll or epoll_wait with a timeout, read of a pipe, recvmsg, accept): as
   * {@link #syscallRaw}, but made off the carrier when the caller is a virtual thread
   * ({@link OffCarrier}).
   */
  public static long waitingSyscallRaw(Sys nr, long a0, long a1, long a2, long a3, long a4, long a5) {
    if (!Thread.currentThread().isVirtual()) return syscallRaw(nr, a0, a1, a2, a3, a4, a5);
    return OffCarrier.<Long, RuntimeException>onPlatformThread(() -> syscallRaw(nr, a0, a1, a2, a3, a4, a5));
  }

  /** System call {@code n} through glibc's {@code syscall()}, errno captured; -errno on failure. */
  static long viaLibc(long n, long a0, long a1, long a2, long a3, long a4, long a5) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment errno = Native.errnoSegment(arena);
      long r = (long) LibcSyscallH.H.invokeExact(errno, n, a0, a1, a2, a3, a4, a5);
      return r == -1 ? -Native.errno(errno) : r;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Starts linking the system call entry on a platform thread of its own and returns at once:
   * a command that will surely make system calls calls this first, so the JVM's first downcall
   * link (~5 ms of a cold JVM through {@link JdkNativeEntry}, ~15-20 through the public
   * Linker: the JDK spins its method handles and stub at run time, none of it AOT-cacheable)
   * runs on the second core while the command reads its arguments, state and config. That
   * thread runs {@code first} before the link (work the caller will need before its first
   * system call) and {@code then} after it (work the command will surely need later); neither
   * waits for a lock of the caller's. (Memory access needs no warm-up of its own: {@link Memory}.) The
   * first system call on the calling thread finds the link done, or waits for it (class
   * initialisation is the lock: no call can see a half-made handle, and a failure reaches the
   * caller as it would have).
   */
  public static void linkInBackground(Runnable first, Runnable then) {
    Thread t = new Thread(() -> {
      try {
        first.run();
      } catch (Throwable e) {
        // not here: the caller meets the same failure where it needs first's work
      }
      try {
        getpid();
        then.run();
      } catch (Throwable e) {
        // not here: the caller meets the same failure where it needs the link (or then's work)
      }
    }, "jrunc-link");
    t.setDaemon(true);
    t.start();
  }

  /** Whether system calls go through the {@link SyscallStub} (false: glibc, errno captured). */
  static boolean usesStub() {
    return SyscallH.RAW != null;
  }

  /** A raw system call that throws {@link SysException} naming {@code op} and {@code target}. */
  public static long syscall(String op, String target, Sys nr, long... args) throws SysException {
    long[] a = java.util.Arrays.copyOf(args, 6);
    long r = syscallRaw(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (r < 0 && r > -4096) throw new SysException(op, target, (int) -r);
    return r;
  }


  /** {@code int pipe2(int pipefd[2], int flags);} Returns {read end, write end}. */
  public static int[] pipe2(int flags) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = arena.allocate(JAVA_INT, 2);
      syscall("pipe2", null, Sys.PIPE2, fds.address(), flags);
      return new int[] {Memory.getInt(fds, 0), Memory.getInt(fds, 4)};
    }
  }

  /** {@code ssize_t read(int fd, void *buf, size_t count);} retried on EINTR; returns bytes read, 0 at EOF. */
  public static int read(int fd, byte[] buf, int len) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment m = arena.allocate(Math.max(1, len));
      long r = readRaw(fd, m.asSlice(0, len));
      if (r < 0) throw new SysException("read", "fd " + fd, (int) -r);
      NativeCopy.toBytes(m, 0, buf, 0, (int) r);
      return (int) r;
    }
  }

  /**
   * {@code read(2)} into {@code buf}, retried on EINTR: the count, 0 at EOF, or {@code -errno}.
   * No arena and no copy (a relay's loop: per chunk only its system calls).
   */
  public static long readRaw(int fd, MemorySegment buf) {
    long r;
    do {
      r = waitingSyscallRaw(Sys.READ, fd, buf.address(), buf.byteSize(), 0, 0, 0);
    } while (r == -Errno.EINTR);
    return r;
  }

  /** {@code write(2)} of all of the first {@code len} bytes of {@code buf}, retried on EINTR. */
  public static void writeAll(int fd, MemorySegment buf, long len) throws SysException {
    long off = 0;
    while (off < len) {
      long r = syscallRaw(Sys.WRITE, fd, buf.address() + off, len - off, 0, 0, 0);
      if (r == -Errno.EINTR) continue;
      if (r < 0) throw new SysException("write", "fd " + fd, (int) -r);
      off += r;
    }
  }

  /** {@code ssize_t write(int fd, const void *buf, size_t count);} writes all of {@code buf}. */
  public static void write(int fd, byte[] buf) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment m = arena.allocate(Math.max(1, buf.length));
      NativeCopy.fromBytes(buf, 0, m, 0, buf.length);
      writeAll(fd, m, buf.length);
    }
  }

  /** {@code int openat(int dirfd, const char *path, int flags, mode_t mode);} from AT_FDCWD; flags: {@link Open}. */
  public static int open(String path, int flags, int mode) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(arena, path);
      long r;
      do {
        r = syscallRaw(Sys.OPENAT, Open.AT_FDCWD, p.address(), flags, mode, 0, 0);
      } while (r == -Errno.EINTR);
      if (r < 0) throw new SysException("open", path, (int) -r);
      return (int) r;
    }
  }

  public static final int RENAME_EXCHANGE = 2;

  /**
   * {@code renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE)}: the two names swap their
   * files in one step. 0, or {@code -errno}: ENOENT when {@code to} does not exist, EINVAL where
   * the filesystem cannot exchange.
   */
  public static int renameExchange(String from, String to) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment f = NativeCopy.cString(arena, from);
      MemorySegment t = NativeCopy.cString(arena, to);
      return (int) syscallRaw(Sys.RENAMEAT2, Open.AT_FDCWD, f.address(), Open.AT_FDCWD, t.address(), RENAME_EXCHANGE, 0);
    }
  }

  /** Same as {@link #open} but returns -errno instead of throwing. */
  public static int openRaw(String path, int flags, int mode) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(arena, path);
      return (int) syscallRaw(Sys.OPENAT, Open.AT_FDCWD, p.address(), flags, mode, 0, 0);
    }
  }

  public static final int WNOHANG = 1, __WALL = 0x40000000;

  /**
   * {@code pid_t wait4(pid_t pid, int *wstatus, int options, struct rusage *rusage);}
   * Returns {pid, status}; pid 0 with WNOHANG when the child is still running.
   */
  public static int[] wait4(int pid, int options) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = arena.allocate(JAVA_INT);
      long r;
      do {
        r = (options & WNOHANG) != 0
            ? syscallRaw(Sys.WAIT4, pid, st.address(), options, 0, 0, 0)
            : waitingSyscallRaw(Sys.WAIT4, pid, st.address(), options, 0, 0, 0);
      } while (r == -Errno.EINTR);
      if (r < 0) throw new SysException("wait4", "pid " + pid, (int) -r);
      return new int[] {(int) r, Memory.getInt(st, 0)};
    }
  }

  /** The exit code a shell would report for a wait status: the status, or 128 + signal. */
  public static int exitCode(int wstatus) {
    int sig = wstatus & 0x7f;
    return sig == 0 ? (wstatus >> 8) & 0xff : 128 + sig;
  }

  /** {@code int pidfd_open(pid_t pid, unsigned int flags);} Returns the fd or -errno. */
  public static int pidfdOpen(int pid) {
    return (int) syscallRaw(Sys.PIDFD_OPEN, pid, 0, 0, 0, 0, 0);
  }

  /**
   * {@code int pidfd_getfd(int pidfd, int targetfd, unsigned int flags);} (Linux 5.6): a copy of
   * another process's fd, close-on-exec. Needs ptrace access to that process
   * (PTRACE_MODE_ATTACH_REALCREDS).
   */
  public static int pidfdGetfd(int pidfd, int targetFd) throws SysException {
    return (int) syscall("pidfd_getfd", "fd " + targetFd, Sys.PIDFD_GETFD, pidfd, targetFd, 0);
  }

  /** {@code int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags);} 0 or -errno. */
  public static int pidfdSendSignal(int pidfd, int sig) {
    return (int) syscallRaw(Sys.PIDFD_SEND_SIGNAL, pidfd, sig, 0, 0, 0, 0);
  }

  /**
   * Waits up to {@code timeoutMillis} for {@code fd} to be readable: {@code ppoll(&{fd, POLLIN},
   * 1, &timeout, NULL)} through the one syscall handle (no handle of its own to link), retried
   * on EINTR with the time left. For a pidfd, readable means the process has exited
   * (pidfd_open(2), Linux 5.3). Returns false on timeout.
   */
  public static boolean awaitReadable(int fd, long timeoutMillis) throws SysException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pfd = arena.allocate(8, 8); // struct pollfd {int fd; short events; short revents;}
      MemorySegment ts = arena.allocate(16, 8); // struct timespec {time_t tv_sec; long tv_nsec;}
      while (true) {
        long left = Math.max(0, deadline - System.nanoTime());
        Memory.setInt(pfd, 0, fd);
        Memory.setShort(pfd, 4, POLLIN);
        Memory.setShort(pfd, 6, (short) 0);
        Memory.setLong(ts, 0, left / 1_000_000_000L);
        Memory.setLong(ts, 8, left % 1_000_000_000L);
        long r = left == 0 ? syscallRaw(Sys.PPOLL, pfd.address(), 1, ts.address(), 0, 0, 0)
            : waitingSyscallRaw(Sys.PPOLL, pfd.address(), 1, ts.address(), 0, 0, 0);
        if (r > 0) return true;
        if (r == 0) return false;
        if (r != -Errno.EINTR) throw new SysException("ppoll", "fd " + fd, (int) -r);
      }
    }
  }

  private static final short POLLIN = 0x1;

  /**
   * {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout);} as {@code ppoll} (the call
   * aarch64 has) through the one syscall handle: {@code pfds} holds {@code n} struct pollfd,
   * {@code timeoutMillis} &lt; 0 waits forever. Returns the number of ready fds, 0 on timeout,
   * or -errno (-EINTR when a signal came first).
   */
  static long pollRaw(MemorySegment pfds, int n, int timeoutMillis) {
    if (timeoutMillis < 0) return waitingSyscallRaw(Sys.PPOLL, pfds.address(), n, 0, 0, 0, 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ts = arena.allocate(16, 8); // struct timespec {time_t tv_sec; long tv_nsec;}
      Memory.setLong(ts, 0, timeoutMillis / 1000);
      Memory.setLong(ts, 8, (timeoutMillis % 1000) * 1_000_000L);
      return timeoutMillis == 0 ? syscallRaw(Sys.PPOLL, pfds.address(), n, ts.address(), 0, 0, 0)
          : waitingSyscallRaw(Sys.PPOLL, pfds.address(), n, ts.address(), 0, 0, 0);
    }
  }

  /**
   * {@code ppoll} of one descriptor without waiting: the events among {@code events} that it
   * has now (its {@code revents}; POLLERR, POLLHUP and POLLNVAL come unasked), 0 for none, or
   * -errno.
   */
  public static int pollNow(int fd, short events) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pfd = arena.allocate(8, 8); // struct pollfd {int fd; short events; short revents;}
      Memory.setInt(pfd, 0, fd);
      Memory.setShort(pfd, 4, events);
      long r = pollRaw(pfd, 1, 0);
      return r < 0 ? (int) r : r == 0 ? 0 : Memory.getShort(pfd, 6) & 0xffff;
    }
  }

  /** {@code int kill(pid_t pid, int sig);} Returns 0 or -errno. */
  public static int kill(int pid, int sig) {
    return (int) syscallRaw(Sys.KILL, pid, sig, 0, 0, 0, 0);
  }

  /** {@code int close(int fd);} errors ignored: there is nothing useful to do about them. */
  public static void close(int fd) {
    if (fd >= 0) syscallRaw(Sys.CLOSE, fd, 0, 0, 0, 0, 0);
  }

  /** {@code int getpid(void);} */
  public static int getpid() {
    return (int) syscallRaw(Sys.GETPID, 0, 0, 0, 0, 0, 0);
  }

  /** {@code uid_t geteuid(void);} (cannot fail) */
  public static int geteuid() {
    return (int) syscallRaw(Sys.GETEUID, 0, 0, 0, 0, 0, 0);
  }

  /** ioctl(2) on a namespace fd: an fd of the user namespace that owns it (linux/nsfs.h). */
  private static final long NS_GET_USERNS = 0xb701;

  /**
   * The user namespace that owns the namespace open at {@code nsFd}, as its /proc link reads
   * ({@code user:[4026531837]}); null when the kernel does not say (not a namespace fd, or an
   * owner outside our own user namespace: EPERM).
   */
  public static String userNamespaceOf(int nsFd) {
    long fd = syscallRaw(Sys.IOCTL, nsFd, NS_GET_USERNS, 0, 0, 0, 0);
    if (fd < 0) return null;
    try {
      return namespaceOf((int) fd);
    } finally {
      close((int) fd);
    }
  }

  /** The namespace open at {@code nsFd} as its /proc link reads ({@code net:[4026531840]}); null if unreadable. */
  public static String namespaceOf(int nsFd) {
    try {
      return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + nsFd)).toString();
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }
}
