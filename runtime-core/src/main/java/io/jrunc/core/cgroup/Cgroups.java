package io.jrunc.core.cgroup;

import io.jrunc.core.cgroup.systemd.SystemdManager;
import io.jrunc.core.cgroup.v1.V1Manager;
import io.jrunc.core.cgroup.v2.V2Manager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes {@link CgroupManager}s: {@link #create} for a new container (nothing is touched until
 * {@link CgroupManager#create()}), {@link #reopen} in a later CLI process from the map the
 * first one saved with {@link CgroupManager#state()}.
 */
public final class Cgroups {
  private Cgroups() {}

  /** The running host's layout. */
  public static Layout detect() throws CgroupException {
    return CgroupHost.current().mounts().layout();
  }

  public static CgroupManager create(CgroupConfig c) throws CgroupException {
    Object ahead = takeAhead();
    return create(c, ahead instanceof HostView v ? v : HostView.of(CgroupHost.current()));
  }

  public static CgroupManager create(CgroupConfig c, CgroupHost host) throws CgroupException {
    return create(c, HostView.of(host));
  }

  /** The host's cgroup mounts and this process's own cgroups, parsed. */
  private record HostView(CgroupMounts mounts, Map<String, String> self) {
    static HostView of(CgroupHost host) throws CgroupException {
      return new HostView(host.mounts(), CgroupMounts.parseProcCgroup(host.selfCgroup()));
    }
  }

  /**
   * Null, the {@link HostView} {@link #readHostAhead} made, or {@link #TAKEN}: the first create
   * came. Guarded by the class's monitor, not an AtomicReference: its VarHandle's set-up (~15 JDK
   * classes, ~0.2 ms of a cold JVM) fell to every delete, which opens this class to reopen a
   * cgroup and never reads the host ahead.
   */
  private static Object ahead;
  private static final Object TAKEN = new Object();

  private static synchronized Object takeAhead() {
    Object a = ahead;
    ahead = TAKEN;
    return a;
  }

  private static synchronized boolean aheadUntouched() {
    return ahead == null;
  }

  private static synchronized void offerAhead(HostView v) {
    if (ahead == null) ahead = v;
  }

  /**
   * Reads and parses the running host's cgroup mounts and this process's cgroups now, on the
   * calling thread, for the JVM's first {@link #create(CgroupConfig)} to take instead of reading
   * them itself: a CLI call that creates a container does it on its link thread while the main
   * thread reads config.json (~0.8 ms of interpreted parsing off the main thread). Only for a
   * JVM that ends after that one create (a long-lived one reads the host on each create, as
   * mounts change). A create that comes before this is done reads the host itself, and this
   * one is dropped; so is a failed read (the create meets the same failure and reports it).
   */
  public static void readHostAhead() {
    if (!aheadUntouched()) return;
    try {
      offerAhead(HostView.of(CgroupHost.current()));
    } catch (CgroupException | RuntimeException e) {
      // the create reads again, and reports it
    }
  }

  private static CgroupManager create(CgroupConfig c, HostView host) throws CgroupException {
    CgroupMounts m = host.mounts();
    Map<String, String> self = host.self();
    if (c.systemd()) {
      if (m.layout() != Layout.V2) {
        throw new CgroupException("--systemd-cgroup: the systemd cgroup driver is implemented for cgroup v2 hosts only; this host is cgroup "
            + (m.layout() == Layout.V1 ? "v1" : "v1 hybrid") + " (use the cgroupfs driver)");
      }
      SystemdManager.Unit u = SystemdManager.parse(c.cgroupsPath(), c.id(), c.rootless());
      return new SystemdManager(m.unified(), u, c.resources(), c.rootless(), c.id());
    }
    if (io.jrunc.spec.Linux.isSystemdCgroupsPath(c.cgroupsPath())) {
      throw new CgroupException("linux.cgroupsPath: \"" + c.cgroupsPath() + "\" is in systemd's slice:prefix:name form; run with --systemd-cgroup");
    }
    String inner = CgroupPaths.inner(c.cgroupsPath(), c.id());
    if (m.layout() == Layout.V2) {
      return rootless(c, new V2Manager(m.unified(), CgroupPaths.v2(m, self, inner), c.resources(), null));
    }
    Map<String, Path> paths = CgroupPaths.v1(m, self, inner);
    Map<String, Path> mounts = new LinkedHashMap<>();
    m.v1().forEach((k, h) -> mounts.put(k, h.mountPoint()));
    if (paths.containsKey(CgroupPaths.UNIFIED)) mounts.put(CgroupPaths.UNIFIED, m.unified());
    return rootless(c, new V1Manager(m.layout(), mounts, paths, c.resources(), null));
  }

  private static CgroupManager rootless(CgroupConfig c, CgroupManager m) {
    return c.rootless() ? new RootlessFallback(m, c.resources(), false) : m;
  }

  /** Re-opens the manager of an existing container from {@link CgroupManager#state()}. */
  public static CgroupManager reopen(Map<String, String> state) throws CgroupException {
    String driver = state.get("driver");
    String layout = state.get("layout");
    if (driver == null || layout == null) throw new CgroupException("saved cgroup state has no driver/layout: " + state);
    if (driver.equals("systemd")) return SystemdManager.fromState(state);
    if (driver.equals("none")) return RootlessFallback.none(Layout.of(layout));
    if (layout.equals(Layout.V2.name())) {
      String top = state.get("createdTop");
      return new V2Manager(Path.of(state.get("root")), Path.of(state.get("path")), null, top == null ? null : Path.of(top));
    }
    return V1Manager.fromState(state);
  }
}
