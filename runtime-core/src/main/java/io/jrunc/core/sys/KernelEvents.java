package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The kernel's ways of telling a waiting thread that something happened, for the OOM watch:
 * {@code eventfd} (cgroup v1 memory notifications), {@code inotify} (cgroup v2
 * {@code memory.events}, whose changes kernfs reports as IN_MODIFY) and {@code epoll} (one
 * thread waits on all of them). Every call goes through {@link Libc#syscallRaw}, the one
 * syscall handle: nothing new is linked.
 */
public final class KernelEvents {
  private KernelEvents() {}

  private static final int O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
  public static final int EPOLLIN = 0x1, EPOLLERR = 0x8, EPOLLHUP = 0x10;
  private static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2;
  public static final int IN_MODIFY = 0x2, IN_DELETE_SELF = 0x400, IN_IGNORED = 0x8000;

  /** x86-64's {@code struct epoll_event} is packed: {@code uint32 events; uint64 data;}. */
  private static final int EPOLL_EVENT_SIZE = 12;

  /** {@code int eventfd2(unsigned int initval, int flags);} close-on-exec, non-blocking. */
  public static int eventfd() throws SysException {
    return (int) Libc.syscall("eventfd2", null, Sys.EVENTFD2, 0, O_CLOEXEC | O_NONBLOCK);
  }

  /**
   * Reads and resets an eventfd's counter: the number of signals since the last read, 0 when
   * there were none (EAGAIN on a non-blocking eventfd).
   */
  public static long readCounter(int efd) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment m = a.allocate(JAVA_LONG);
      long r;
      do {
        r = Libc.syscallRaw(Sys.READ, efd, m.address(), 8, 0, 0, 0);
      } while (r == -Errno.EINTR);
      if (r == -Errno.EAGAIN) return 0;
      if (r < 0) throw new SysException("read eventfd", "fd " + efd, (int) -r);
      return Memory.getLong(m, 0);
    }
  }

  /** Adds 1 to an eventfd's counter (wakes whoever waits on it). */
  public static void signal(int efd) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment m = a.allocate(JAVA_LONG);
      Memory.setLong(m, 0, 1L);
      long r;
      do {
        r = Libc.syscallRaw(Sys.WRITE, efd, m.address(), 8, 0, 0, 0);
      } while (r == -Errno.EINTR);
      // EAGAIN: the counter is at its maximum, so the reader is woken anyway
      if (r < 0 && r != -Errno.EAGAIN) throw new SysException("write eventfd", "fd " + efd, (int) -r);
    }
  }

  /** {@code int inotify_init1(int flags);} close-on-exec, non-blocking. */
  public static int inotify() throws SysException {
    return (int) Libc.syscall("inotify_init1", null, Sys.INOTIFY_INIT1, O_CLOEXEC | O_NONBLOCK);
  }

  /** {@code int inotify_add_watch(int fd, const char *pathname, uint32_t mask);} Returns the watch descriptor. */
  public static int addWatch(int ifd, String path, int mask) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(a, path);
      return (int) Libc.syscall("inotify_add_watch", path, Sys.INOTIFY_ADD_WATCH, ifd, p.address(), mask);
    }
  }

  /**
   * Drains an inotify fd: the OR of the masks of every queued {@code struct inotify_event
   * {int wd; uint32 mask, cookie, len; char name[len];}}, 0 when none was queued.
   */
  public static int drainInotify(int ifd) throws SysException {
    int masks = 0;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(4096, 8);
      while (true) {
        long r = Libc.syscallRaw(Sys.READ, ifd, buf.address(), buf.byteSize(), 0, 0, 0);
        if (r == -Errno.EINTR) continue;
        if (r == -Errno.EAGAIN) return masks;
        if (r < 0) throw new SysException("read inotify", "fd " + ifd, (int) -r);
        for (long off = 0; off + 16 <= r; off += 16 + Integer.toUnsignedLong(Memory.getInt(buf, off + 12))) {
          masks |= Memory.getInt(buf, off + 4);
        }
      }
    }
  }

  /** {@code int epoll_create1(int flags);} close-on-exec. */
  public static int epollCreate() throws SysException {
    return (int) Libc.syscall("epoll_create1", null, Sys.EPOLL_CREATE1, O_CLOEXEC);
  }

  /** {@code epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &{EPOLLIN, token})}. */
  public static void epollAdd(int epfd, int fd, long token) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment ev = a.allocate(EPOLL_EVENT_SIZE, 4);
      Memory.setInt(ev, 0, EPOLLIN);
      Memory.setLong(ev, 4, token);
      Libc.syscall("epoll_ctl ADD", "fd " + fd, Sys.EPOLL_CTL, epfd, EPOLL_CTL_ADD, fd, ev.address());
    }
  }

  /** {@code epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL)}; errors ignored (closing the fd removes it anyway). */
  public static void epollDel(int epfd, int fd) {
    Libc.syscallRaw(Sys.EPOLL_CTL, epfd, EPOLL_CTL_DEL, fd, 0, 0, 0);
  }

  /**
   * {@code int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout);}
   * blocks until an fd is ready (timeout -1) and returns the tokens of the ready fds; empty on
   * EINTR.
   */
  public static long[] epollWait(int epfd, int max, int timeoutMillis) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment evs = a.allocate((long) EPOLL_EVENT_SIZE * max, 4);
      long r = timeoutMillis == 0 ? Libc.syscallRaw(Sys.EPOLL_WAIT, epfd, evs.address(), max, 0, 0, 0)
          : Libc.waitingSyscallRaw(Sys.EPOLL_WAIT, epfd, evs.address(), max, timeoutMillis, 0, 0);
      if (r == -Errno.EINTR) return new long[0];
      if (r < 0) throw new SysException("epoll_wait", "fd " + epfd, (int) -r);
      long[] tokens = new long[(int) r];
      for (int i = 0; i < r; i++) {
        tokens[i] = Memory.getLong(evs, (long) EPOLL_EVENT_SIZE * i + 4);
      }
      return tokens;
    }
  }
}
