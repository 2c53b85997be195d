package io.jrunc.core.terminal;

import static io.jrunc.core.sys.Termios.TIOCGPTPEER;
import static io.jrunc.core.sys.Termios.TIOCSCTTY;
import static io.jrunc.core.sys.Termios.TIOCSPTLCK;
import static io.jrunc.core.sys.Termios.TIOCSWINSZ;

import io.jrunc.core.spawn.Label;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.CmsgHdr;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Iovec;
import io.jrunc.core.sys.Mount;
import io.jrunc.core.sys.MsgHdr;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.OpenHow;
import io.jrunc.core.sys.Socket;
import io.jrunc.core.sys.Stat;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.Winsize;
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
    // the master's fd is stored into the message by the step that opens it
    MemorySegment cmsg = CmsgHdr.writeOneFd(b.alloc(CmsgHdr.SPACE_ONE_FD), 0);
    // read-only for the child: staged with the strings, as every open_how of a program
    long how = b.stagedLongs(OpenHow.SIZE_VER0, OpenHow.FIELDS, OpenHow.fields(Open.O_RDWR | Open.O_NOCTTY | Open.O_CLOEXEC, 0,
        Open.RESOLVE_NO_SYMLINKS | Open.RESOLVE_NO_MAGICLINKS));
    Step master = b.call(Sys.OPENAT2, (long) Open.AT_FDCWD, PTMX, how, OpenHow.SIZE_VER0)
        .storeResultAt(CmsgHdr.fdSlot(cmsg))
        .describe("open ", PTMX, " for the terminal (is a devpts instance mounted at /dev/pts?)");
    b.call(Sys.IOCTL, master, TIOCSPTLCK, b.alloc(4)).describe("unlock the terminal's pty");
    Step slave = b.call(Sys.IOCTL, master, TIOCGPTPEER, (long) (Open.O_RDWR | Open.O_NOCTTY | Open.O_CLOEXEC))
        .describe("open the terminal's pty slave (TIOCGPTPEER, Linux 4.13)");
    if (consoleSize != null) {
      MemorySegment ws = Winsize.write(b.alloc(Winsize.LAYOUT), clampU16(consoleSize.height()),
          clampU16(consoleSize.width()), 0, 0);
      b.call(Sys.IOCTL, slave, TIOCSWINSZ, ws)
          .describe("set the terminal size to " + consoleSize.height() + "x" + consoleSize.width());
    }
    for (long i = 0; i < 3; i++) b.call(Sys.DUP3, slave, i, 0L).describe("make the terminal fd ", i);
    b.call(Sys.CLOSE, slave).describe("close the spare terminal fd");

    // Two messages, one sent: with the slave's name when /proc can tell it, else one NUL byte.
    MemorySegment name = b.alloc(NAME_MAX_LEN + 1);
    MemorySegment namedIov = Iovec.write(b.alloc(Iovec.LAYOUT), name, 0);
    MemorySegment namedMsg = msghdr(b, namedIov, cmsg);
    MemorySegment nul = b.alloc(1);
    MemorySegment nulIov = Iovec.write(b.alloc(Iovec.LAYOUT), nul, 1);
    MemorySegment nulMsg = msghdr(b, nulIov, cmsg);
    Label named = b.label();
    Label sent = b.label();
    // readlink's length lands in the low half of iov_len (zeroed, little endian); only the
    // positive branch uses it.
    b.call(Sys.READLINKAT, (long) Open.AT_FDCWD, "/proc/self/fd/0", name, (long) NAME_MAX_LEN)
        .allow(Errno.ENOENT, Errno.EACCES)
        .storeResultAt(Iovec.lenLow32(namedIov))
        .jumpIfPositive(named)
        .describe("read the terminal's name from /proc/self/fd/0");
    b.call(Sys.SENDMSG, b.inherit(consoleSocketFd), nulMsg, (long) Socket.MSG_NOSIGNAL)
        .describe("send the terminal's master to the console socket");
    b.call(Sys.GETPID).jumpIfPositive(sent).describe("getpid");
    b.place(named);
    b.call(Sys.SENDMSG, b.inherit(consoleSocketFd), namedMsg, (long) Socket.MSG_NOSIGNAL)
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
    b.call(Sys.MKNODAT, (long) Open.AT_FDCWD, "/dev/console", (long) (Stat.S_IFREG | 0666), 0L).allow(Errno.EEXIST)
        .describe("create /dev/console");
    Step tree = b.call(Sys.OPEN_TREE, 0L, "", Mount.OPEN_TREE_CLONE | Open.O_CLOEXEC | Open.AT_EMPTY_PATH)
        .describe("clone the terminal for /dev/console");
    b.call(Sys.MOVE_MOUNT, tree, "", (long) Open.AT_FDCWD, "/dev/console", Mount.MOVE_MOUNT_F_EMPTY_PATH)
        .describe("bind the terminal onto /dev/console");
    b.call(Sys.CLOSE, tree).describe("close the /dev/console mount fd");
  }

  /** Gives the terminal (fd 0) to {@code uid}; call before the uid switch, only when uid != 0. */
  public static void emitOwner(ProgramBuilder b, long uid) {
    b.call(Sys.FCHOWNAT, 0L, "", uid, 0xffffffffL, (long) Open.AT_EMPTY_PATH).describe("give the terminal to uid ", uid);
  }

  private static MemorySegment msghdr(ProgramBuilder b, MemorySegment iov, MemorySegment cmsg) {
    return MsgHdr.write(b.alloc(MsgHdr.LAYOUT), MemorySegment.NULL, 0, iov, 1, cmsg, cmsg.byteSize());
  }

  private static int clampU16(Long v) {
    if (v == null || v < 0) return 0;
    return (int) Math.min(v, 0xffff);
  }
}
