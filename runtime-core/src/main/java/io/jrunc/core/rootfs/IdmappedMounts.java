package io.jrunc.core.rootfs;

import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;

import io.jrunc.core.spawn.ChildProgram;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.sys.Clone;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.MountSyscalls;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.LinuxIDMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Id-mapped bind mounts (Linux 5.12), prepared in the parent as runc does: a user namespace
 * holding the mount's mapping (made by a short-lived child cloned with CLONE_NEWUSER, whose
 * {@code /proc/<pid>/ns/user} is opened before it exits), then {@code open_tree(OPEN_TREE_CLONE)}
 * of the source and {@code mount_setattr(MOUNT_ATTR_IDMAP)} with that namespace. The detached
 * mount's fd is inherited by the container's child, which only moves it into place: the
 * child, in its own user namespace, has no CAP_SYS_ADMIN over the source's superblock.
 *
 * <p>Mapping direction, as for a user namespace's uid_map: an id {@code containerID + i} on
 * the source filesystem appears in the mount as {@code hostID + i}.
 */
final class IdmappedMounts {
  private IdmappedMounts() {}

  /** An fd of a user namespace with these mappings (CLOEXEC; the caller closes it). */
  static int userns(List<LinuxIDMapping> uids, List<LinuxIDMapping> gids) throws SysException {
    try (SpawnChannel ch = new SpawnChannel(); ProgramBuilder b = new ProgramBuilder()) {
      // Blocks until the parent has opened the namespace; EOF (0) is as good as a byte.
      b.call(Sys.READ, (long) ch.syncRead(), b.alloc(8), 1L).describe("wait for the parent");
      b.call(Sys.EXIT_GROUP, 0L).describe("exit");
      ChildProgram p = b.build();
      Spawner.Child c = Spawner.clone(p, ch, Clone.CLONE_NEWUSER, -1);
      try {
        write(c.pid(), "uid_map", uids);
        write(c.pid(), "gid_map", gids);
        return Libc.open("/proc/" + c.pid() + "/ns/user", Open.O_RDONLY | Open.O_CLOEXEC, 0);
      } finally {
        ch.close(); // EOF on the sync pipe: the child exits
        Libc.wait4(c.pid(), 0);
      }
    }
  }

  private static void write(int pid, String file, List<LinuxIDMapping> maps) throws SysException {
    StringBuilder sb = new StringBuilder();
    for (LinuxIDMapping m : maps) {
      sb.append(m.containerID()).append(' ').append(m.hostID()).append(' ').append(m.size()).append('\n');
    }
    try {
      Files.writeString(Path.of("/proc/" + pid + "/" + file), sb);
    } catch (IOException e) {
      throw new SysException("write " + file + " of the id-mapping user namespace", null, io.jrunc.core.sys.Errno.EINVAL);
    }
  }

  /**
   * A detached, id-mapped clone of {@code source} with the mount's flags applied. Returns its fd
   * (CLOEXEC: it is inherited by clone, not by the container's execve).
   */
  static int detached(String what, String source, MountOptions o, int usernsFd) throws SysException {
    long treeRec = o.isRecursiveBind() ? AT_RECURSIVE : 0;
    int fd = MountSyscalls.openTree((int) AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | treeRec, what);
    try {
      // Cloned here, in the host's mount namespace, a shared source's copy is a peer of the host's
      // mount, and stays one once the child moves it into the container's namespace: a mount the
      // container made under it (its cgroup over a bound /sys's /sys/fs/cgroup, anything in a
      // volume) appeared on the host's mount too (systemd hosts: every mount is shared; seen in
      // the VM lane). Slaves, as the container's own mounts are after its rslave: the host's
      // mounts still reach them, nothing goes back. (The config's propagation options come after.)
      MountSyscalls.mountSetattr(fd, treeRec, 0, 0, MS_SLAVE, 0, what + ": make the clone a slave of its source");
      // ridmap maps every mount of the tree; idmap only the top one (runc). No user namespace
      // fd: a plain bind, cloned here for a child that could not reach the source itself.
      if (usernsFd >= 0) {
        MountSyscalls.mountSetattr(fd, o.ridmap() ? AT_RECURSIVE : 0, MOUNT_ATTR_IDMAP, 0, 0, usernsFd,
            what + ": id-map the mount");
      }
      if (o.attrSet() != 0 || o.attrClr() != 0) {
        MountSyscalls.mountSetattr(fd, 0, o.attrSet(), o.attrClr(), 0, 0, what + ": set mount flags");
      }
      if (o.recSet() != 0 || o.recClr() != 0) {
        MountSyscalls.mountSetattr(fd, AT_RECURSIVE, o.recSet(), o.recClr(), 0, 0, what + ": set recursive mount flags");
      }
      return fd;
    } catch (SysException e) {
      Libc.close(fd);
      throw e;
    }
  }
}
