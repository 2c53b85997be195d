package io.jrunc.core.process;

import io.jrunc.core.sys.Clone;
import io.jrunc.spec.LinuxNamespace;
import io.jrunc.spec.Spec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The container's namespaces, split into those the child creates (clone flags) and those it
 * joins ({@code path}). Types in runtime-spec order; {@code setns} order puts user first (the
 * other namespaces may be owned by it) and mount last (joining it changes what paths mean).
 */
public record Namespaces(long cloneFlags, boolean newTime, Map<String, String> joins) {

  /** runtime-spec's types: the validator's list. */
  public static final List<String> TYPES = io.jrunc.spec.KnownValues.NAMESPACES;
  static final List<String> JOIN_ORDER = List.of("user", "ipc", "uts", "network", "pid", "cgroup", "time", "mount");

  public static long flag(String type) {
    return switch (type) {
      case "pid" -> Clone.CLONE_NEWPID;
      case "network" -> Clone.CLONE_NEWNET;
      case "mount" -> Clone.CLONE_NEWNS;
      case "ipc" -> Clone.CLONE_NEWIPC;
      case "uts" -> Clone.CLONE_NEWUTS;
      case "user" -> Clone.CLONE_NEWUSER;
      case "cgroup" -> Clone.CLONE_NEWCGROUP;
      case "time" -> Clone.CLONE_NEWTIME;
      default -> throw new IllegalArgumentException("unknown namespace type " + type);
    };
  }

  /** The file name under {@code /proc/<pid>/ns/}. */
  public static String procName(String type) {
    return switch (type) {
      case "network" -> "net";
      case "mount" -> "mnt";
      default -> type;
    };
  }

  public static Namespaces of(Spec spec) {
    long flags = 0;
    boolean time = false;
    Map<String, String> joins = new LinkedHashMap<>();
    List<LinuxNamespace> list = spec.linux() == null || spec.linux().namespaces() == null
        ? List.of() : spec.linux().namespaces();
    for (LinuxNamespace ns : list) {
      if (ns.path() != null && !ns.path().isEmpty()) {
        joins.put(ns.type(), ns.path());
      } else if (ns.type().equals("time")) {
        time = true; // unshared by the child: offsets must be written before anyone enters it
      } else {
        flags |= flag(ns.type());
      }
    }
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String t : JOIN_ORDER) if (joins.containsKey(t)) ordered.put(t, joins.get(t));
    return new Namespaces(flags, time, ordered);
  }

  /**
   * The namespaces init is cloned with: all it creates but the cgroup one (unshared in its
   * program, see InitPlanner); none beside a user namespace, new or joined, which init enters
   * first and then creates the others in (see {@link #withNewUser} and {@link #afterUserJoin}).
   */
  public long atClone() {
    return inUserNs() ? 0 : cloneFlags & ~Clone.CLONE_NEWCGROUP;
  }

  /**
   * What init unshares in one call to make a new user namespace (0 without one): the user
   * namespace and the others it then owns, but the cgroup one (later, see InitPlanner) and the
   * IPC one. An IPC namespace's mqueue filesystem takes its owner from its creator's ids at that
   * moment: made before the parent writes the id maps, /dev/mqueue belonged to the overflow ids
   * (65534) and the container's root could not chmod it. InitPlanner unshares it once init is
   * root in the user namespace, as runc's init does.
   */
  public long withNewUser() {
    return creates("user") ? cloneFlags & ~(Clone.CLONE_NEWCGROUP | Clone.CLONE_NEWIPC) : 0;
  }

  /**
   * The namespaces init creates right after it joined a user namespace by path (none
   * otherwise; the cgroup one still comes later). Made in the clone, before the join, they
   * belonged to the host's user namespace, where the joined one's root holds no capability:
   * bringing lo up, sethostname and every mount failed with EPERM (the pod pattern of sharing
   * one user namespace). runc's nsexec joins the user namespace first too. A new pid namespace
   * so made holds init's children only: init forks into it (InitPlanner).
   */
  public long afterUserJoin() {
    return joins.containsKey("user") ? cloneFlags & ~Clone.CLONE_NEWCGROUP : 0;
  }

  /** Whether init unshares the IPC namespace once it is root in its new user namespace (see {@link #withNewUser}). */
  public boolean ipcAfterUserSwitch() {
    return (cloneFlags & Clone.CLONE_NEWUSER) != 0 && (cloneFlags & Clone.CLONE_NEWIPC) != 0;
  }

  /**
   * Whether init sets the container up inside a user namespace other than the runtime's, new or
   * joined: mknod is refused there (devices are bind-mounted), and bind sources are opened by
   * the parent (RootfsContext's newUserNs).
   */
  public boolean inUserNs() {
    return creates("user") || joins.containsKey("user");
  }

  public boolean creates(String type) {
    return type.equals("time") ? newTime : (cloneFlags & flag(type)) != 0;
  }

  public boolean has(String type) {
    return creates(type) || joins.containsKey(type);
  }

  public List<String> joinedTypes() {
    return new ArrayList<>(joins.keySet());
  }
}
