package io.jrunc.core.rootfs;

import static io.jrunc.core.rootfs.MountSteps.*;
import static io.jrunc.core.sys.Mount.*;
import static io.jrunc.core.sys.Open.*;
import static io.jrunc.core.sys.Stat.*;

import io.jrunc.spec.LinuxDevice;
import io.jrunc.spec.Mount;
import io.jrunc.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.List;
import io.jrunc.core.rootfs.RootfsSetup.Dev;

/**
 * The checks {@link RootfsSetup#validate} makes without the host: mount options and
 * destinations, id mappings, devices, masked/readonly paths, rootfsPropagation.
 */
final class RootfsRules {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RootfsSetup.class); // same logger name as before the split

  private RootfsRules() {}

  static void check(Spec spec) {
    if (spec.mounts() != null) {
      for (int i = 0; i < spec.mounts().size(); i++) validateMount(i, spec.mounts().get(i));
    }
    if (spec.linux() != null) {
      rootPropagation(spec);
      checkAbsolute("linux.maskedPaths", spec.linux().maskedPaths());
      checkAbsolute("linux.readonlyPaths", spec.linux().readonlyPaths());
      if (spec.linux().devices() != null) {
        for (int i = 0; i < spec.linux().devices().size(); i++) device(i, spec.linux().devices().get(i));
      }
    }
  }

  static void validateMount(int i, Mount m) {
    String where = "mounts[" + i + "]";
    if (m.destination() == null || m.destination().isEmpty()) {
      throw new RootfsConfigException(where + ": destination is required");
    }
    String dest = clean(m.destination());
    where += " (destination " + dest + ")";
    MountOptions o = MountOptions.parse(m.options());
    boolean bind = o.isBind() || "bind".equals(m.type());
    if (!bind && !o.has(MS_REMOUNT) && (m.type() == null || m.type().isEmpty())) {
      throw new RootfsConfigException(where + ": invalid mount: type is required unless options include bind or rbind");
    }
    if (o.tmpcopyup() && !"tmpfs".equals(m.type())) {
      throw new RootfsConfigException(where + ": option tmpcopyup is only valid for tmpfs mounts");
    }
    if (idmapped(m, o)) {
      if (!bind) throw new RootfsConfigException(where + ": invalid mount: only bind mounts can be id-mapped");
      if (notEmpty(m.uidMappings()) != notEmpty(m.gidMappings())) {
        throw new RootfsConfigException(where + ": invalid mount: uidMappings and gidMappings must be given together");
      }
      checkMappings(where + ".uidMappings", m.uidMappings());
      checkMappings(where + ".gidMappings", m.gidMappings());
    }
    if (bind && !o.data().isEmpty()) {
      // mount(2) ignores data with MS_BIND, and runc passes it along; configs in the wild
      // (runtime-tools' validation suite among them) carry size=/mode= on binds
      LOG.warn("{}: filesystem options {} do not apply to a bind mount and are ignored", where,
          String.join(",", o.data()));
    }
    if (o.propagation().stream().anyMatch(p -> Long.bitCount(p & ~MS_REC) != 1)) {
      throw new RootfsConfigException(where + ": invalid propagation option");
    }
  }

  static boolean idmapped(Mount m, MountOptions o) {
    return o.idmap() || o.ridmap() || notEmpty(m.uidMappings()) || notEmpty(m.gidMappings());
  }

  static void checkMappings(String where, List<io.jrunc.spec.LinuxIDMapping> maps) {
    if (maps == null) return;
    for (int i = 0; i < maps.size(); i++) {
      var x = maps.get(i);
      if (x == null || x.containerID() == null || x.hostID() == null || x.size() == null || x.size() <= 0) {
        throw new RootfsConfigException(where + "[" + i + "]: containerID, hostID and a positive size are required");
      }
    }
  }

  static boolean notEmpty(List<?> l) {
    return l != null && !l.isEmpty();
  }

  static void checkAbsolute(String where, List<String> paths) {
    if (paths == null) return;
    for (int i = 0; i < paths.size(); i++) {
      String p = paths.get(i);
      if (p == null || !p.startsWith("/")) {
        throw new RootfsConfigException(where + "[" + i + "]: " + p + " is not an absolute path");
      }
    }
  }

  /** MS_* flags for linux.rootfsPropagation, or 0 when unset. */
  static long rootPropagation(Spec spec) {
    String p = spec.linux() == null ? null : spec.linux().rootfsPropagation();
    if (p == null || p.isEmpty()) return 0;
    return switch (p) {
      case "shared" -> MS_SHARED;
      case "rshared" -> MS_SHARED | MS_REC;
      case "slave" -> MS_SLAVE;
      case "rslave" -> MS_SLAVE | MS_REC;
      case "private" -> MS_PRIVATE;
      case "rprivate" -> MS_PRIVATE | MS_REC;
      case "unbindable" -> MS_UNBINDABLE;
      case "runbindable" -> MS_UNBINDABLE | MS_REC;
      default -> throw new RootfsConfigException("linux.rootfsPropagation: unknown value " + p
          + " (expected shared, slave, private, unbindable or their r* forms)");
    };
  }

  static Dev device(int i, LinuxDevice d) {
    String where = "linux.devices[" + i + "]";
    if (d.path() == null || !d.path().startsWith("/")) {
      throw new RootfsConfigException(where + ": path " + d.path() + " is not an absolute path");
    }
    if (clean(d.path()).equals("/")) throw new RootfsConfigException(where + ": path / is not a device");
    long type = switch (d.type() == null ? "" : d.type()) {
      case "c", "u" -> S_IFCHR;
      case "b" -> S_IFBLK;
      case "p" -> S_IFIFO;
      default -> throw new RootfsConfigException(where + " (" + d.path() + "): type " + d.type() + " is not one of c, b, u, p");
    };
    long major = d.major() == null ? 0 : d.major();
    long minor = d.minor() == null ? 0 : d.minor();
    if (type != S_IFIFO && (d.major() == null || d.minor() == null)) {
      throw new RootfsConfigException(where + " (" + d.path() + "): major and minor are required for type " + d.type());
    }
    if (major < 0 || major > 0xfff || minor < 0 || minor > 0xfffff) {
      throw new RootfsConfigException(where + " (" + d.path() + "): device number " + major + ":" + minor + " out of range");
    }
    long mode = d.fileMode() == null ? 0666 : d.fileMode() & 07777;
    return new Dev(clean(d.path()), type, major, minor, mode, d.uid(), d.gid(), comps(d.path()));
  }

  static boolean isProcfs(String source) {
    try {
      return source != null && "proc".equals(Files.getFileStore(Path.of(source)).type());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
