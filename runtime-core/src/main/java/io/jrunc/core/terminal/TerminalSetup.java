package io.jrunc.core.terminal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jrunc.core.spawn.Label;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Sys;
import io.jrunc.spec.Box;
import java.lang.foreign.MemorySegment;

/**
 * The child-side steps of {@code process.terminal = true}: a pseudo-terminal made inside the
 * container, its master sent to the console socket, its slave made the process's controlling
 * terminal and stdio (runc's {@code setupConsole}, crun's {@code terminal.c}).
 *
 * <p>The pty is allocated from the container's own devpts instance, after pivot_root (init) or
 * after joining the mount namespace (exec), so the slave is {@code /dev/pts/N} of the container
 * and not of the host (runc#814). Everything is planned in Java; the child runs only these
 * syscalls:
 *
 * <table>
 *   <caption>{@link #emit} (every step fails the child with its description)</caption>
 *   <tr><th>#</th><th>syscall</th><th>why</th></tr>
 *   <tr><td>1</td><td>{@code openat2(AT_FDCWD, "/dev/pts/ptmx", O_RDWR|O_NOCTTY|O_CLOEXEC,
 *       RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS)}; the fd is also stored into the cmsg
 *       data</td><td>runc opens {@code /dev/ptmx}, normally a symlink to {@code pts/ptmx}; the
 *       image controls {@code /dev} entries, so we open the devpts instance's own ptmx and refuse
 *       symlinks on the way (a planted {@code /dev/pts} symlink cannot redirect us)</td></tr>
 *   <tr><td>2</td><td>{@code ioctl(master, TIOCSPTLCK, &0)}</td><td>unlockpt</td></tr>
 *   <tr><td>3</td><td>{@code ioctl(master, TIOCGPTPEER, O_RDWR|O_NOCTTY|O_CLOEXEC)}</td><td>the
 *       slave without a path lookup (Linux 4.13; no ptsname needed, no race on the name)</td></tr>
 *   <tr><td>4</td><td>{@code ioctl(slave, TIOCSWINSZ, &winsize)} when {@code consoleSize}
 *       is set</td><td>{@code process.consoleSize}</td></tr>
 *   <tr><td>5</td><td>{@code dup3(slave, 0|1|2, 0)}, {@code close(slave)}</td><td>stdio; from
 *       here on fd 0 names the slave, which the later steps use</td></tr>
 *   <tr><td>6</td><td>{@code readlinkat(AT_FDCWD, "/proc/self/fd/0", name, 4095)}, its length
 *       stored into the iovec</td><td>the payload: the slave's path as the container sees it
 *       ({@code /dev/pts/0}), like runc's; without a {@code /proc} in the container (ENOENT,
 *       EACCES) one NUL byte is sent instead</td></tr>
 *   <tr><td>7</td><td>{@code sendmsg(socket, {payload, SCM_RIGHTS master}, MSG_NOSIGNAL)}
 *       </td><td>one message, one fd; a receiver that hung up fails the step (EPIPE), no
 *       SIGPIPE</td></tr>
 *   <tr><td>8</td><td>{@code close(master)}, {@code close(socket)}</td><td>nothing of the
 *       caller's reaches the container process</td></tr>
 *   <tr><td>9</td><td>{@code setsid()} (EPERM accepted: already a session leader), {@code
 *       ioctl(0, TIOCSCTTY, 0)}</td><td>the slave becomes the controlling terminal, so ^C
 *       delivers SIGINT to the foreground job</td></tr>
 * </table>
 *
 * <p>{@link #emitDevConsole} (init only, after {@link #emit}): {@code mknodat("/dev/console",
 * S_IFREG|0666)} (EEXIST accepted), {@code open_tree(0, "", OPEN_TREE_CLONE|AT_EMPTY_PATH)},
 * {@code move_mount(tree, "", AT_FDCWD, "/dev/console", MOVE_MOUNT_F_EMPTY_PATH)}: the slave,
 * bind-mounted by fd, with no path to know at plan time. move_mount without
 * {@code MOVE_MOUNT_T_SYMLINKS} does not follow a symlink at {@code /dev/console}.
 *
 * <p>{@link #emitOwner} (before the uid switch): {@code fchownat(0, "", uid, -1,
 * AT_EMPTY_PATH)} — runc's {@code fixStdioPermissions}: a non-root process user owns its
 * terminal (the devpts {@code gid=} option decides the group).
 */
public final class TerminalSetup {
  private TerminalSetup() {}

  static final long TIOCSWINSZ = 0x5414, TIOCSCTTY = 0x540E, TIOCSPTLCK = 0x40045431L, TIOCGPTPEER = 0x5441;
  private static final long RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04;
  private static final long OPEN_TREE_CLONE = 1, AT_EMPTY_PATH = 0x1000, MOVE_MOUNT_F_EMPTY_PATH = 0x04;
  private static final long S_IFREG = 0100000;
  private static final int MSG_NOSIGNAL = 0x4000, SOL_SOCKET = 1, SCM_RIGHTS = 1;
  /** Where the payload goes: PATH_MAX is 4096, one byte stays free. */
  private static final int NAME_MAX_LEN = 4095;
  /** The path of the devpts instance's multiplexer inside the container. */
  public static final String PTMX = "/dev/pts/ptmx";

  /** The steps that hold the two pty fds in the child (for descriptions or later steps). */
  public record Emitted(Step master, Step slave) {}

  /**
   * Emits the terminal steps (see the class table). {@code consoleSocketFd} is a connected
   * AF_UNIX stream socket the child inherited (CLOEXEC is fine: it is used before execve and
   * closed here); {@code consoleSize} may be null.
   *
   * <p>After these steps fds 0, 1, 2 are the slave: the caller must not dup other stdio over
   * them later.
   */
  public static Emitted emit(ProgramBuilder b, int consoleSocketFd, Box consoleSize) {
    if (consoleSocketFd < 0) throw new IllegalArgumentException("a terminal needs a console socket fd");
    // struct cmsghdr + one int (CMSG_SPACE(4) = 24): len, level, type, fd
    MemorySegment cmsg = b.alloc(24);
    cmsg.set(JAVA_LONG, 0, 20);
    cmsg.set(JAVA_INT, 8, SOL_SOCKET);
    cmsg.set(JAVA_INT, 12, SCM_RIGHTS);
    MemorySegment how = b.alloc(24); // struct open_how {u64 flags, mode, resolve}
    how.set(JAVA_LONG, 0, Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC);
    how.set(JAVA_LONG, 16, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    Step master = b.call(Sys.OPENAT2, (long) Libc.AT_FDCWD, PTMX, how, 24L)
        .storeResultAt(cmsg.asSlice(16, 4))
        .describe("open " + PTMX + " for the terminal (is a devpts instance mounted at /dev/pts?)");
    b.call(Sys.IOCTL, master, TIOCSPTLCK, b.alloc(4)).describe("unlock the terminal's pty");
    Step slave = b.call(Sys.IOCTL, master, TIOCGPTPEER, (long) (Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC))
        .describe("open the terminal's pty slave (TIOCGPTPEER, Linux 4.13)");
    if (consoleSize != null) {
      MemorySegment ws = b.alloc(8); // struct winsize {ws_row, ws_col, ws_xpixel, ws_ypixel}
      ws.set(JAVA_SHORT, 0, (short) clampU16(consoleSize.height()));
      ws.set(JAVA_SHORT, 2, (short) clampU16(consoleSize.width()));
      b.call(Sys.IOCTL, slave, TIOCSWINSZ, ws)
          .describe("set the terminal size to " + consoleSize.height() + "x" + consoleSize.width());
    }
    for (long i = 0; i < 3; i++) b.call(Sys.DUP3, slave, i, 0L).describe("make the terminal fd " + i);
    b.call(Sys.CLOSE, slave).describe("close the spare terminal fd");

    // Two messages, one sent: with the slave's name when /proc can tell it, else one NUL byte.
    MemorySegment name = b.alloc(NAME_MAX_LEN + 1);
    MemorySegment namedIov = b.alloc(16);
    namedIov.set(ADDRESS, 0, name);
    MemorySegment namedMsg = msghdr(b, namedIov, cmsg);
    MemorySegment nul = b.alloc(1);
    MemorySegment nulIov = b.alloc(16);
    nulIov.set(ADDRESS, 0, nul);
    nulIov.set(JAVA_LONG, 8, 1);
    MemorySegment nulMsg = msghdr(b, nulIov, cmsg);
    Label named = b.label();
    Label sent = b.label();
    // readlink's length lands in the low half of iov_len (zeroed, little endian); only the
    // positive branch uses it.
    b.call(Sys.READLINKAT, (long) Libc.AT_FDCWD, "/proc/self/fd/0", name, (long) NAME_MAX_LEN)
        .allow(Errno.ENOENT, Errno.EACCES)
        .storeResultAt(namedIov.asSlice(8, 4))
        .jumpIfPositive(named)
        .describe("read the terminal's name from /proc/self/fd/0");
    b.call(Sys.SENDMSG, b.inherit(consoleSocketFd), nulMsg, (long) MSG_NOSIGNAL)
        .describe("send the terminal's master to the console socket");
    b.call(Sys.GETPID).jumpIfPositive(sent).describe("getpid");
    b.place(named);
    b.call(Sys.SENDMSG, b.inherit(consoleSocketFd), namedMsg, (long) MSG_NOSIGNAL)
        .describe("send the terminal's master to the console socket");
    b.place(sent);
    b.call(Sys.CLOSE, master).describe("close the terminal's master");
    b.call(Sys.CLOSE, b.inherit(consoleSocketFd)).describe("close the console socket");
    b.call(Sys.SETSID).allow(Errno.EPERM).describe("start a new session");
    b.call(Sys.IOCTL, 0L, TIOCSCTTY, 0L).describe("make the terminal the controlling terminal");
    return new Emitted(master, slave);
  }

  /**
   * Bind-mounts the terminal (fd 0 after {@link #emit}) onto {@code /dev/console}, creating an
   * empty file there first if needed (runc's {@code mountConsole}). Init only, after
   * pivot_root and before the root is remounted read-only.
   */
  public static void emitDevConsole(ProgramBuilder b) {
    b.call(Sys.MKNODAT, (long) Libc.AT_FDCWD, "/dev/console", S_IFREG | 0666, 0L).allow(Errno.EEXIST)
        .describe("create /dev/console");
    Step tree = b.call(Sys.OPEN_TREE, 0L, "", OPEN_TREE_CLONE | Libc.O_CLOEXEC | AT_EMPTY_PATH)
        .describe("clone the terminal for /dev/console");
    b.call(Sys.MOVE_MOUNT, tree, "", (long) Libc.AT_FDCWD, "/dev/console", MOVE_MOUNT_F_EMPTY_PATH)
        .describe("bind the terminal onto /dev/console");
    b.call(Sys.CLOSE, tree).describe("close the /dev/console mount fd");
  }

  /** Gives the terminal (fd 0) to {@code uid}; call before the uid switch, only when uid != 0. */
  public static void emitOwner(ProgramBuilder b, long uid) {
    b.call(Sys.FCHOWNAT, 0L, "", uid, 0xffffffffL, AT_EMPTY_PATH).describe("give the terminal to uid " + uid);
  }

  private static MemorySegment msghdr(ProgramBuilder b, MemorySegment iov, MemorySegment cmsg) {
    MemorySegment msg = b.alloc(56);
    msg.set(ADDRESS, 16, iov);
    msg.set(JAVA_LONG, 24, 1);
    msg.set(ADDRESS, 32, cmsg);
    msg.set(JAVA_LONG, 40, 24);
    return msg;
  }

  private static int clampU16(Long v) {
    if (v == null || v < 0) return 0;
    return (int) Math.min(v, 0xffff);
  }
}
