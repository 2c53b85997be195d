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
 * What the rootfs code derives from a validated config: mount-option facts, propagation flags,
 * device numbers. The config rules themselves (mount types and options, id mappings, masked
 * and readonly paths, devices, rootfsPropagation, sysctl keys) live once, in runtime-oci-spec's
 * validator ({@code MountRules}, {@code SemanticChecks}, {@code SysctlRules}), which create runs
 * before planning; what needs the host (where a destination resolves, bind sources) is checked
 * by {@link MountPlanner} and {@link RootfsSetup}.
 */
final class RootfsRules {
  /**
   * Looked up where a line is written, not kept in a static field: create loads this class on
   * every call, and the first getLogger of a JVM bootstraps SLF4J (~0.7 ms of a cold create).
   */
  private static org.slf4j.Logger log() {
    return RootfsSetup.log(); // same logger name as before the split
  }

  private RootfsRules() {}

  /** Warnings only: the validator made the checks. */
  static void check(Spec spec) {
    if (spec.mounts() == null) return;
    for (int i = 0; i < spec.mounts().size(); i++) {
      Mount m = spec.mounts().get(i);
      MountOptions o = MountOptions.parse(m.options());
      if ((o.isBind() || "bind".equals(m.type())) && !o.data().isEmpty()) {
        // mount(2) ignores data with MS_BIND, and runc passes it along; configs in the wild
        // (runtime-tools' validation suite among them) carry size=/mode= on binds
        log().warn("mounts[{}] (destination {}): filesystem options {} do not apply to a bind mount and are ignored", i,
            clean(m.destination()), String.join(",", o.data()));
      }
    }
  }

  static boolean idmapped(Mount m, MountOptions o) {
    return o.idmap() || o.ridmap() || notEmpty(m.uidMappings()) || notEmpty(m.gidMappings());
  }

  static boolean notEmpty(List<?> l) {
    return l != null && !l.isEmpty();
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
      default -> throw new IllegalArgumentException("linux.rootfsPropagation " + p + ": not a validated config");
    };
  }

  /** A validated linux.devices entry as the child makes it (the validator checked path, type and numbers). */
  static Dev device(int i, LinuxDevice d) {
    long type = switch (d.type()) {
      case "c", "u" -> S_IFCHR;
      case "b" -> S_IFBLK;
      case "p" -> S_IFIFO;
      default -> throw new IllegalArgumentException("linux.devices[" + i + "] type " + d.type() + ": not a validated config");
    };
    long major = d.major() == null ? 0 : d.major();
    long minor = d.minor() == null ? 0 : d.minor();
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
