package io.jrunc.core.cgroup;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.spec.LinuxResources;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rootless with the cgroupfs driver, as runc does it: if the user may not create the cgroup
 * (no delegation) and the config asks for no limits, the container runs without a cgroup of its
 * own instead of failing; with limits, the permission error stands (they cannot be honoured).
 * Without a cgroup, pause/stats/kill-by-cgroup fail with a sentence saying why.
 */
final class RootlessFallback implements CgroupManager {
  private final CgroupManager inner;
  private final LinuxResources resources;
  private boolean disabled;

  RootlessFallback(CgroupManager inner, LinuxResources resources, boolean disabled) {
    this.inner = inner;
    this.resources = resources;
    this.disabled = disabled;
  }

  static boolean asksForLimits(LinuxResources r) {
    if (r == null) return false;
    return r.memory() != null || r.cpu() != null || r.pids() != null || r.blockIO() != null
        || (r.hugepageLimits() != null && !r.hugepageLimits().isEmpty()) || r.network() != null
        || (r.rdma() != null && !r.rdma().isEmpty()) || (r.unified() != null && !r.unified().isEmpty());
  }

  private CgroupException none(String what) {
    return new CgroupException("cannot " + what + ": this rootless container has no cgroup of its own (cgroup creation was not permitted)");
  }

  @Override public String driver() { return disabled ? "none" : inner.driver(); }
  @Override public Layout layout() { return inner.layout(); }

  @Override
  public void create() throws CgroupException {
    try {
      inner.create();
    } catch (CgroupException e) {
      String m = String.valueOf(e.getMessage());
      boolean denied = m.contains("(EACCES)") || m.contains("(EPERM)") || m.contains("(EROFS)");
      if (!denied) throw e;
      if (asksForLimits(resources)) {
        throw new CgroupException(m + ": rootless, so linux.resources (limits) cannot be applied without a"
            + " cgroup delegated to this user", e);
      }
      disabled = true;
    }
  }

  @Override public Optional<Path> cloneIntoCgroupPath() { return disabled ? Optional.empty() : inner.cloneIntoCgroupPath(); }

  @Override
  public void addProcess(int pid) throws CgroupException {
    if (!disabled) inner.addProcess(pid);
  }

  @Override
  public void update(LinuxResources r) throws CgroupException {
    if (disabled) throw none("update resources");
    inner.update(r);
  }

  @Override public void freeze() throws CgroupException { if (disabled) throw none("pause"); inner.freeze(); }
  @Override public void thaw() throws CgroupException { if (disabled) throw none("resume"); inner.thaw(); }
  @Override public boolean isFrozen() throws CgroupException { return !disabled && inner.isFrozen(); }
  @Override public List<Integer> pids() throws CgroupException { return disabled ? List.of() : inner.pids(); }
  @Override public CgroupStats stats() throws CgroupException { if (disabled) throw none("read stats"); return inner.stats(); }
  @Override public long oomKillCount() throws CgroupException { return disabled ? 0 : inner.oomKillCount(); }
  @Override public void kill(int signal) throws CgroupException { if (disabled) throw none("signal all processes"); inner.kill(signal); }

  @Override
  public void destroy() throws CgroupException {
    if (!disabled) inner.destroy();
  }

  @Override public Map<String, String> paths() { return disabled ? Map.of() : inner.paths(); }
  @Override public java.nio.file.Path v2Dir() { return disabled ? null : inner.v2Dir(); }

  @Override
  public Map<String, String> state() {
    if (disabled) return Map.of("driver", "none", "layout", inner.layout().name());
    return inner.state();
  }

  /** The manager a saved {@code driver=none} state stands for. */
  static CgroupManager none(Layout layout) {
    return new RootlessFallback(new V2Placeholder(layout), null, true);
  }

  /** Stands in for the manager that was never created. */
  private record V2Placeholder(Layout layout) implements CgroupManager {
    public String driver() { return "none"; }
    public void create() {}
    public Optional<Path> cloneIntoCgroupPath() { return Optional.empty(); }
    public void addProcess(int pid) {}
    public void update(LinuxResources r) {}
    public void freeze() {}
    public void thaw() {}
    public boolean isFrozen() { return false; }
    public List<Integer> pids() { return List.of(); }
    public CgroupStats stats() { return null; }
    public long oomKillCount() { return 0; }
    public void kill(int signal) {}
    public void destroy() {}
    public Map<String, String> paths() { return Map.of(); }
    public Map<String, String> state() { return Map.of(); }
  }
}
