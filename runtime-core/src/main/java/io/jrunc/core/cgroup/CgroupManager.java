package io.jrunc.core.cgroup;

import io.jrunc.core.api.stats.CgroupStats;
import io.jrunc.spec.LinuxResources;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container's cgroup, whatever the host's layout and driver. Made by {@link Cgroups#create}
 * for a new container, or {@link Cgroups#reopen} from {@link #state()} in a later CLI process.
 *
 * <p>Order of use by the lifecycle: {@link #create()} (directories, resources, device filter)
 * before the container process exists; then either spawn with {@code clone3(CLONE_INTO_CGROUP)}
 * into {@link #cloneIntoCgroupPath()} when present, or spawn and call {@link #addProcess(int)}
 * while the child still waits before {@code execve} (v1, hybrid, systemd: the scope can only be
 * created with a pid in it). {@link #destroy()} after the container is gone.
 */
public interface CgroupManager {

  /** "cgroupfs" or "systemd". */
  String driver();

  /** The host layout this manager drives. */
  Layout layout();

  /**
   * Creates the cgroup directories and applies the resources and device rules. A failure
   * removes what this call made and leaves nothing behind.
   */
  void create() throws CgroupException;

  /**
   * The v2 directory to open with {@code O_DIRECTORY} and pass to {@code clone3} as
   * {@code cgroup} with {@code CLONE_INTO_CGROUP} (kernel >= 5.7); empty when the process must
   * be moved with {@link #addProcess} instead (v1, hybrid, systemd).
   */
  Optional<Path> cloneIntoCgroupPath();

  /** Moves {@code pid} into the cgroup (every hierarchy; the unified one too on hybrid). */
  void addProcess(int pid) throws CgroupException;

  /**
   * How a new, single-threaded process can join this cgroup by itself instead of
   * {@link #addProcess}: cloned into {@link SelfJoin#cloneInto} (a v2 directory, or null) and
   * writing "0" to each of {@link SelfJoin#tasks} (v1 {@code tasks} files) before it runs
   * anything else. Empty when only {@link #addProcess} will do (v2 has
   * {@link #cloneIntoCgroupPath}; systemd and rootless need the parent).
   *
   * <p>Why: a write of a pid to {@code cgroup.procs} takes the kernel's global
   * {@code cgroup_threadgroup_rwsem} for writing, which waits for an RCU grace period whenever
   * no other writer ran in the last one: 3-30 ms per container on a 2-core host, more than the
   * rest of a warm create. A thread that moves itself ({@code tasks}, pid 0) and
   * CLONE_INTO_CGROUP take no such lock (kernel/cgroup/cgroup.c,
   * {@code cgroup_procs_write_start}: "If the thread is `current` ... we can skip the global lock").
   */
  default java.util.Optional<SelfJoin> selfJoin() {
    return java.util.Optional.empty();
  }

  /** See {@link #selfJoin()}: a v2 directory to clone into (or null) and v1 tasks files. */
  record SelfJoin(Path cloneInto, List<Path> tasks) {}

  /** Applies changed resources; zero/null fields are left as they are. */
  void update(LinuxResources resources) throws CgroupException;

  /** Freezes every process of the container and returns once the kernel reports them frozen. */
  void freeze() throws CgroupException;

  /** Thaws the container. */
  void thaw() throws CgroupException;

  boolean isFrozen() throws CgroupException;

  /** Every pid in the container's cgroup and its descendants. */
  List<Integer> pids() throws CgroupException;

  /** Usage counters, in the shape of runc's {@code events --stats}. */
  CgroupStats stats() throws CgroupException;

  /**
   * How many times the kernel's OOM killer killed a process in the cgroup (v2 memory.events
   * oom_kill; v1 memory.oom_control oom_kill, kernel >= 4.13). Poll it: an increase is an OOM event.
   */
  long oomKillCount() throws CgroupException;

  /** Sends {@code signal} to every process (v2 with SIGKILL: one write to cgroup.kill). */
  void kill(int signal) throws CgroupException;

  /**
   * SIGKILL to every process of the cgroup, for its removal: one write of "1" to the v2
   * directory's {@code cgroup.kill} (kernel >= 5.14; on the hybrid layout the unified directory,
   * which every process of the container joins too) where there is one, else {@link #kill}.
   *
   * <p>Why not {@link #kill} alone: on v1 and hybrid that freezes the cgroup, reads its pids,
   * signals each and thaws (runc's signalAllProcesses), ~1 ms of a cold {@code delete --force}
   * before its SIGKILL; the kernel's cgroup.kill also kills what forks meanwhile. A process
   * outside the unified directory but in a v1 one (moved there by hand) is still found by
   * {@link #destroy}'s wait, which reads the v1 pids and signals what it finds.
   */
  default void killAll() throws CgroupException {
    java.nio.file.Path v2 = v2Dir();
    if (v2 != null && FsSupport.tryWriteControl(v2, "cgroup.kill", "1")) return;
    kill(io.jrunc.core.sys.Signal.SIGKILL);
  }

  /** Kills what is left, waits for it to go, and removes the directories this container made. */
  void destroy() throws CgroupException;

  /**
   * {@link #destroy} for a container whose init had a pid namespace of its own and is gone: the
   * kernel ended every process of that namespace with it, so a process still in the cgroup is
   * not the container's (another container given the same cgroupsPath, say) and is not
   * signalled, as runc's destroy signals a cgroup's processes only for a container without a
   * private pid namespace. Removes the directories when nothing is in them; else leaves them,
   * for the last of the sharers to remove, and returns the pids found there.
   */
  default List<Integer> destroyUnlessShared() throws CgroupException {
    List<Integer> left = pids();
    if (!left.isEmpty()) return left;
    destroy(); // (its wait finds nothing to kill: one more look at the pids)
    return List.of();
  }

  /** Hierarchy key (controller, "unified", or "" on v2) to directory, as runc's state.json cgroup_paths. */
  Map<String, String> paths();

  /**
   * The container's cgroup v2 directory, whose cgroup.events tells when it empties (on the hybrid
   * layout: its directory in the unified hierarchy); null on pure v1.
   */
  default java.nio.file.Path v2Dir() {
    return null;
  }

  /** Everything {@link Cgroups#reopen} needs, as strings (store it in the container's state). */
  Map<String, String> state();
}
