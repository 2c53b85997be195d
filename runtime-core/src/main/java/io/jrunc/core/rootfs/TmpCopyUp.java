package io.jrunc.core.rootfs;

import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;

import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.Step;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.MountSyscalls;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.LinuxIDMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code tmpcopyup} mount option: a tmpfs that starts with a copy of what the rootfs has
 * at its destination. The child has no libc and no loops, so the parent reads the directory
 * (from the host, before clone) and the child replays it into the new tmpfs, before it is
 * moved into place: mkdirat/openat+write/symlinkat/mknodat, then fchownat, per entry.
 *
 * <p>The parent reads the rootfs without following any symlink out of it: the destination is
 * resolved with openat2 RESOLVE_IN_ROOT, every entry below it with RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS relative to its directory's fd (the rootfs may be hostile and change
 * under us). Sockets are skipped; hard links become copies; xattrs are not copied. The copy is
 * a snapshot taken at planning time of the rootfs' own content (mounts the child makes earlier
 * in the program are not seen), capped at {@link #LIMIT} bytes.
 */
final class TmpCopyUp {
  private TmpCopyUp() {}

  static final long LIMIT = 64L << 20;

  sealed interface Node permits Dir, File, Link, Special {
    String name();
    long uid();
    long gid();
  }

  record Dir(String name, long mode, long uid, long gid, List<Node> children) implements Node {}
  record File(String name, long mode, long uid, long gid, byte[] content) implements Node {}
  record Link(String name, long uid, long gid, byte[] target) implements Node {}
  record Special(String name, long mode, long uid, long gid, long major, long minor) implements Node {}

  /** The contents of {@code dest} (a cleaned container path) in {@code rootfs}; empty when it does not exist. */
  static List<Node> snapshot(Path rootfs, String dest, String where) {
    int root = -1, dir = -1;
    try {
      root = MountSyscalls.openat2((int) AT_FDCWD, rootfs.toString(), O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0,
          where + ": open the rootfs " + rootfs);
      String rel = dest.equals("/") ? "." : dest.substring(1);
      try {
        dir = MountSyscalls.openat2(root, rel, O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
            RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, where + ": tmpcopyup: open " + dest + " in the rootfs");
      } catch (SysException e) {
        if (e.errno() == Errno.ENOENT) return List.of();
        throw e;
      }
      long[] budget = {LIMIT};
      return children(dir, dest, where, budget);
    } catch (SysException e) {
      throw new RootfsConfigException(e.getMessage());
    } finally {
      Libc.close(dir);
      Libc.close(root);
    }
  }

  private static List<Node> children(int dirFd, String display, String where, long[] budget) throws SysException {
    List<String> names;
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd/" + dirFd))) {
      names = s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new RootfsConfigException(where + ": tmpcopyup: list " + display + ": " + e.getMessage());
    }
    List<Node> l = new ArrayList<>();
    for (String name : names) {
      String path = display + "/" + name;
      int fd = MountSyscalls.openat2(dirFd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0,
          RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, where + ": tmpcopyup: open " + path);
      try {
        Map<String, Object> a;
        try {
          // stat through the fd's magic link: the object itself, never a symlink's target
          a = Files.readAttributes(Path.of("/proc/self/fd/" + fd), "unix:mode,uid,gid,size,rdev");
        } catch (IOException e) {
          throw new RootfsConfigException(where + ": tmpcopyup: stat " + path + ": " + e.getMessage());
        }
        long mode = ((Number) a.get("mode")).longValue();
        long uid = ((Number) a.get("uid")).longValue(), gid = ((Number) a.get("gid")).longValue();
        long type = mode & 0170000;
        if (type == S_IFDIR) {
          l.add(new Dir(name, mode & 07777, uid, gid, children(fd, path, where, budget)));
        } else if (type == S_IFREG) {
          l.add(new File(name, mode & 07777, uid, gid, read(dirFd, name, path, where, budget)));
        } else if (type == 0120000) {
          l.add(new Link(name, uid, gid, MountSyscalls.readlink(fd, where + ": tmpcopyup: read link " + path)));
        } else if (type == S_IFCHR || type == S_IFBLK || type == S_IFIFO) {
          long rdev = ((Number) a.get("rdev")).longValue();
          long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
          long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
          l.add(new Special(name, mode & (07777 | 0170000), uid, gid, major, minor));
        }
        // sockets: nothing to copy
      } finally {
        Libc.close(fd);
      }
    }
    return l;
  }

  private static byte[] read(int dirFd, String name, String path, String where, long[] budget) throws SysException {
    int fd = MountSyscalls.openat2(dirFd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0,
        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, where + ": tmpcopyup: open " + path);
    try {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[65536];
      int n;
      while ((n = Libc.read(fd, buf, buf.length)) > 0) {
        budget[0] -= n;
        if (budget[0] < 0) {
          throw new RootfsConfigException(where + ": tmpcopyup: the contents exceed " + (LIMIT >> 20) + " MiB");
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } finally {
      Libc.close(fd);
    }
  }

  /**
   * Replays {@code nodes} into the directory {@code dir} (a Step's fd, or a Long fd). With a
   * user namespace, owners are translated from host ids to the container's ids through
   * {@code uidMap}/{@code gidMap}; an id without a mapping keeps the tmpfs' default owner.
   */
  static void emit(ProgramBuilder b, Object dir, String display, List<Node> nodes,
      List<LinuxIDMapping> uidMap, List<LinuxIDMapping> gidMap) {
    for (Node n : nodes) {
      String path = display + "/" + n.name();
      String what = "tmpcopyup: copy " + path;
      switch (n) {
        case Dir d -> {
          b.call(Sys.MKDIRAT, dir, d.name(), d.mode()).describe(what);
          chown(b, dir, n, what, uidMap, gidMap);
          Step sub = MountSteps.openat2(b, dir, d.name(), O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)
              .describe(what);
          emit(b, sub, path, d.children(), uidMap, gidMap);
          b.call(Sys.CLOSE, sub).describe(what);
        }
        case File f -> {
          Step fd = b.call(Sys.OPENAT, dir, f.name(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, f.mode())
              .describe(what);
          if (f.content().length > 0) {
            b.call(Sys.WRITE, fd, f.content(), (long) f.content().length).atLeast(f.content().length).describe(what);
          }
          b.call(Sys.CLOSE, fd).describe(what);
          chown(b, dir, n, what, uidMap, gidMap);
        }
        case Link l -> {
          byte[] t = java.util.Arrays.copyOf(l.target(), l.target().length + 1); // NUL-terminated
          b.call(Sys.SYMLINKAT, t, dir, l.name()).describe(what);
          chown(b, dir, n, what, uidMap, gidMap);
        }
        case Special s -> {
          b.call(Sys.MKNODAT, dir, s.name(), s.mode(), encodeDev(s.major(), s.minor())).describe(what);
          chown(b, dir, n, what, uidMap, gidMap);
        }
      }
    }
  }

  private static void chown(ProgramBuilder b, Object dir, Node n, String what, List<LinuxIDMapping> uidMap,
      List<LinuxIDMapping> gidMap) {
    long uid = toContainer(n.uid(), uidMap), gid = toContainer(n.gid(), gidMap);
    if (uid == 0 && gid == 0) return; // the child creates as root already
    b.call(Sys.FCHOWNAT, dir, n.name(), uid, gid, AT_SYMLINK_NOFOLLOW).describe(what + ": change owner");
  }

  /** A host id as the container sees it (-1 = leave unchanged when it has no mapping). */
  static long toContainer(long hostId, List<LinuxIDMapping> map) {
    if (map == null) return hostId;
    for (LinuxIDMapping m : map) {
      if (hostId >= m.hostID() && hostId < m.hostID() + m.size()) return m.containerID() + (hostId - m.hostID());
    }
    return -1;
  }
}
