package io.jrunc.core.container;

import static io.jrunc.core.container.ContainerCgroups.cgroupDirs;
import static io.jrunc.core.container.ContainerCgroups.removeCgroup;
import static io.jrunc.core.process.LaunchSupport.closeQuietly;
import static io.jrunc.core.process.LaunchSupport.openStdio;

import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.ExistsFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.log.Logs;
import io.jrunc.core.rootfs.RootfsConfigException;
import io.jrunc.core.rootfs.RootfsContext;
import io.jrunc.core.rootfs.RootfsSetup;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.CgroupIo;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.NativeCopy;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Stat;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import io.jrunc.core.terminal.ConsoleSocket;
import io.jrunc.core.terminal.NotifySocket;
import io.jrunc.spec.Json;
import io.jrunc.spec.Rfc3339;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * create's third stage, acquire: what a {@link CreatePlan} needs on the host before init can be
 * cloned, made in this order and undone in {@link #undo} if anything later fails.
 *
 * <table>
 *   <caption>What create acquires</caption>
 *   <tr><th>#</th><th>what</th><th>undone by</th></tr>
 *   <tr><td>1</td><td>the state directory (mkdir claims the id) and its lock</td><td>removing the directory</td></tr>
 *   <tr><td>2</td><td>the notify directory; fds of the namespaces to join</td><td>the directory; closing</td></tr>
 *   <tr><td>3</td><td>the exec fifo, stdio, the console, the spawn channel: with 2, all the init
 *       program names, so it can be compiled while 4 to 6 are made</td><td>closing</td></tr>
 *   <tr><td>4</td><td>runc's checks of a cgroup that already exists (frozen: refused; not empty: a
 *       warning)</td><td>-</td></tr>
 *   <tr><td>5</td><td>a record with pid 0 ("creating"), written before the cgroup so that
 *       {@code delete --force} finds the cgroup even if this process is killed half-way; and
 *       config.json (with create's additions), written by the helper while 5 and 6 are made
 *       ({@link #writeConfig})</td><td>the directory</td></tr>
 *   <tr><td>6</td><td>the cgroup (mkdir, resources, device filter) and its fd for CLONE_INTO_CGROUP;
 *       the record again, naming the directories create made</td><td>destroying them from the record</td></tr>
 * </table>
 */
final class CreateResources {
  /**
   * Looked up where a line is written, not kept in a static field: create loads this class on
   * every call, and the first getLogger of a JVM bootstraps SLF4J (~0.7 ms of a cold create).
   */
  private static Logger log() {
    return Logs.get(Lifecycle.class); // same logger name as before the split
  }

  final CreatePlan plan;
  private final StateStore store;
  /** The parent's copies of every fd made here, closed once init has its own (or on undo). */
  private final List<AutoCloseable> fds = new ArrayList<>();
  private StateStore.Lock lock;
  private ContainerRecord pending;
  /** The init (or the child that forks it) while it is not yet reaped: undo kills it. */
  int childPid = -1;

  RootfsSetup rootfs;
  final Map<String, Integer> joinFds = new LinkedHashMap<>();
  int cgroupFd = -1;
  /** The cgroups init joins by itself (null: the parent moves it, or it was cloned into its v2 cgroup). */
  CgroupManager.SelfJoin selfJoin;
  int fifoFd = -1;
  int console = -1;
  /** The console is the socket's pty master we received (ours to close), not the caller's fd. */
  private boolean ownConsole;
  final int[] stdio = {-1, -1, -1};
  final int[] callerPipes = {-1, -1, -1};
  SpawnChannel channel;
  /** The record's owner (this process's user name), looked up by the first record. */
  private String owner;

  private CreateResources(StateStore store, CreatePlan plan) {
    this.store = store;
    this.plan = plan;
    this.rootfs = plan.rootfsSetup();
  }

  /**
   * Makes rows 1-3 of the table in order ({@link #acquireCgroup} the rest). On a failure what was
   * made so far is undone and the error thrown; an id that exists already leaves that container
   * alone.
   */
  static CreateResources acquire(StateStore store, CreatePlan plan) throws ContainerFailure {
    String id = plan.id();
    boolean claimed;
    try {
      claimed = store.claim(id);
    } catch (IOException e) {
      throw new SetupFailure("create state directory " + store.dir(id) + ": " + e.getMessage(), 0, e);
    }
    if (!claimed) throw new ExistsFailure(id);
    CreateResources r = new CreateResources(store, plan);
    try {
      r.lock = store.lock(id);
      r.acquireDescriptors();
      return r;
    } catch (ContainerFailure | IOException | RuntimeException e) {
      throw r.undo(Failures.translate(e));
    } catch (Error e) {
      // even a broken classpath or OOM must not leave a half-made container behind
      r.undo(new SetupFailure(e.toString(), 0, e));
      throw e;
    }
  }

  /**
   * Rows 2 and 3 of the table: what the init program names (the fds of the namespaces to join,
   * the fifo, stdio, the console, the spawn channel), so that it can be compiled while
   * {@link #acquireCgroup} makes the rest. The cgroups init will join by itself are decided here
   * too (from the planned paths; {@link #acquireCgroup} decides again once they exist).
   */
  private void acquireDescriptors() throws ContainerFailure, IOException {
    Path dir = store.dir(plan.id());
    if (plan.notifySocket() != null) NotifySocket.prepare(dir);
    for (var e : plan.namespaces().joins().entrySet()) {
      try {
        // O_NONBLOCK: a path that is a FIFO must not hang create (setns then refuses it)
        int fd = Libc.open(e.getValue(), Open.O_RDONLY | Open.O_NONBLOCK | Open.O_NOCTTY | Open.O_CLOEXEC, 0);
        joinFds.put(e.getKey(), fd);
        fds.add(() -> Libc.close(fd));
      } catch (SysException x) {
        throw new SetupFailure("open the " + e.getKey() + " namespace: " + x.getMessage(), x.errno(), x);
      }
    }
    openFifo(dir.resolve(Lifecycle.FIFO));
    if (!plan.terminal()) openStdio(plan.options().stdio(), stdio, callerPipes, fds);
    if (plan.terminal()) {
      int given = plan.options().consoleFd();
      // a failed connect names the socket and the errno already
      console = given >= 0 ? given : ConsoleSocket.connect(plan.options().consoleSocket());
      ownConsole = given < 0;
    }
    channel = new SpawnChannel();
    fds.add(channel);
    plan.security().handOffListener(channel.reportWrite()); // NOTIFY: the agent gets init's listener
    selfJoin = selfJoinOf(plan.cgroup());
  }

  /**
   * Rows 4 to 6 of the table: an existing cgroup's checks, the record and the cgroup
   * (config.json: {@link #writeConfig}, meanwhile on the helper). On a failure the caller undoes
   * everything ({@link #undo}). (The checks come after the
   * descriptors so that the init program's compile, which needs only those, starts sooner.)
   */
  void acquireCgroup() throws ContainerFailure, IOException {
    checkExistingCgroup(plan.cgroup());
    pending = record(plan, 0, 0);
    store.writeRecord(pending);
    CgroupManager cgroup = plan.cgroup();
    cgroup.create(); // on a failure it removed what it made
    replanRootfsIfNeeded();
    // again if create() made more than the record names (the top directory it had to make, a
    // parent of the cgroupsPath say): undo and a delete --force of a killed create remove that too
    if (!cgroup.state().equals(pending.cgroup())) {
      pending = record(plan, 0, 0);
      store.writeRecord(pending);
    }
    // a rootless cgroup that was not permitted has other paths now (the same join stays the same
    // object: create compares by identity, as a record's equals costs ~5 ms of a cold JVM)
    CgroupManager.SelfJoin now = selfJoinOf(cgroup);
    if (!sameJoin(now, selfJoin)) selfJoin = now;
    Path into = cgroup.cloneIntoCgroupPath().orElse(selfJoin == null ? null : selfJoin.cloneInto());
    if (into != null) {
      int fd = CgroupIo.openDirectory(into.toString());
      cgroupFd = fd;
      fds.add(() -> Libc.close(fd));
    }
  }

  private static boolean sameJoin(CgroupManager.SelfJoin a, CgroupManager.SelfJoin b) {
    if (a == null || b == null) return a == b;
    return Objects.equals(a.cloneInto(), b.cloneInto()) && a.tasks().equals(b.tasks());
  }

  /**
   * The cgroups init joins by itself, or null: the parent moves it, or it is cloned into its
   * v2 cgroup. Its joins are its program's first steps, before anything else (a new user
   * namespace too is unshared later, by init itself), so it writes the tasks files as the
   * runtime's own user.
   */
  private CgroupManager.SelfJoin selfJoinOf(CgroupManager cgroup) {
    if (cgroup.cloneIntoCgroupPath().isPresent()) return null;
    return cgroup.selfJoin().orElse(null);
  }

  /**
   * The rootfs plan is made again, once, when what it was planned with changed: a rootless
   * cgroup that was not permitted leaves the container in ours (a cgroup mount then binds our
   * directories, not the planned ones), or the notify directory, made now, must be opened by
   * the parent for a new user namespace ({@link CreatePlan#replanRootfs}).
   */
  private void replanRootfsIfNeeded() throws InvalidConfigFailure {
    if (rootfs == null) return;
    Map<String, Path> dirs = cgroupDirs(plan.cgroup());
    if (!plan.replanRootfs() && dirs.equals(plan.cgroupDirs())) return;
    RootfsSetup first = rootfs;
    try {
      rootfs = RootfsSetup.plan(RootfsContext.of(plan.spec(), plan.bundle()).withNoPivot(plan.options().noPivot())
          .withNewUserNs(plan.namespaces().inUserNs()).withCgroupDirs(dirs));
    } catch (RootfsConfigException e) {
      rootfs = null;
      throw new InvalidConfigFailure("config.json: " + e.getMessage()); // planned once already: not expected
    } finally {
      first.close();
    }
  }

  /**
   * The exec fifo: init blocks reading it until start writes. We open it O_RDWR so that
   * opening never blocks; start opens it O_WRONLY|O_NONBLOCK, which fails with ENXIO when no
   * reader is left (init died), so start cannot hang on a dead init.
   */
  private void openFifo(Path fifo) throws SysException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment p = NativeCopy.cString(a, fifo.toString());
      Libc.syscall("mkfifo", fifo.toString(), Sys.MKNODAT, Open.AT_FDCWD, p.address(), Stat.S_IFIFO | 0622, 0);
    }
    int fd = Libc.open(fifo.toString(), Open.O_RDWR | Open.O_CLOEXEC, 0);
    fifoFd = fd;
    fds.add(() -> Libc.close(fd));
  }

  /**
   * Row 5's config.json (the planned spec, with create's additions), which exec, update and
   * delete's poststop hooks read once create has returned: nothing during create does, so it is
   * written on the {@link CreateHelper} while the cgroup is made (a delete --force of a create
   * killed before it finds no hooks to run, as for a create killed before row 5).
   */
  Void writeConfig() throws ContainerFailure {
    try {
      StateStore.writeFile(store.dir(plan.id()).resolve("config.json"), Json.writeBytes(plan.spec()));
      return null;
    } catch (IOException e) {
      throw Failures.translate(e);
    }
  }

  /** Keeps {@code fd} until {@link #closeParentCopies()} or {@link #undo}. */
  void own(int fd) {
    fds.add(() -> Libc.close(fd));
  }

  /**
   * The last record but for init's pid and start time, encoded ahead of them (once the cgroup is
   * made, so its state is final): the {@link CreateHelper} encodes it while this thread clones
   * init.
   */
  StateStore.Prepared prepareRecord() {
    return StateStore.prepare(record(plan, 0, 0));
  }

  /**
   * The last stage, record: init waits on the fifo; its pid and start time go into the
   * {@link #prepareRecord prepared} record, the lock is released and our copies of the fds init
   * inherited are closed (the caller's pipe ends stay).
   */
  ContainerRecord record(StateStore.Prepared prepared, int init, long startTime) throws IOException {
    ContainerRecord rec = store.writeRecord(prepared, init, startTime);
    childPid = -1;
    closeParentCopies();
    lock.close();
    plan.close();
    return rec;
  }

  /**
   * Right after the clone: our copy of a received pty master, so that the receiver sees EOF if
   * init dies. The caller's own console fd stays open.
   */
  void closeConsole() {
    if (ownConsole && console >= 0) Libc.close(console);
    ownConsole = false;
  }

  /** Our copies of what init inherited: after the clone init has its own. */
  void closeParentCopies() {
    closeConsole();
    for (AutoCloseable c : fds) closeQuietly(c);
    fds.clear();
    if (rootfs != null) rootfs.close(); // the child has its copies of the id-mapped mount fds
  }

  /**
   * Undoes everything in reverse: kills and reaps the child, closes fds, destroys the cgroup
   * (when the record naming it was written), removes the state directory. What fails here is
   * added to {@code err} as suppressed; returns {@code err}.
   */
  ContainerFailure undo(ContainerFailure err) {
    if (lock != null) lock.close();
    if (childPid > 0) {
      Libc.kill(childPid, 9);
      try {
        Libc.wait4(childPid, 0);
      } catch (SysException ignored) {
        // not ours to reap or already gone
      }
      childPid = -1;
    }
    closeParentCopies();
    plan.close();
    if (pending != null) {
      try {
        removeCgroup(pending, null); // the child is gone: with its own pid namespace, all of it
      } catch (ContainerFailure e) {
        err.addSuppressed(e);
      }
    }
    try {
      store.remove(plan.id());
    } catch (IOException e) {
      err.addSuppressed(e);
    }
    return err;
  }

  private ContainerRecord record(CreatePlan p, int pid, long startTime) {
    if (owner == null) owner = ownerName(); // a passwd lookup: once, for the up to three records
    return new ContainerRecord(p.id(), p.bundle().toString(), p.rootfs().toString(), pid, startTime,
        Rfc3339.utcNow(), owner,
        p.spec().annotations(), p.spec().ociVersion(), p.cgroup().state(), p.options().systemdCgroup(),
        p.rootless(), p.namespaces().creates("pid"), p.spec().hooks() != null);
  }

  /**
   * runc's checks of a cgroup that exists before create, made before anything is recorded (a
   * refusal must leave that cgroup as it found it): frozen, init would freeze before it ran;
   * not empty, another container's processes are in it. Refused both, as runc 1.2 on (1.1
   * warned of the second): in a shared cgroup the last start's limits win, a pause or a
   * cgroup-wide kill reaches every container in it, and a delete cannot remove it.
   */
  private static void checkExistingCgroup(CgroupManager cgroup) throws SetupFailure {
    // A new container's cgroup is not there yet (nearly every create): a stat of each directory
    // says so, where the freezer's read and the pids' look-ups below failed through exceptions
    // (~0.3 ms of a cold create).
    boolean any = false;
    for (String p : cgroup.paths().values()) any |= new java.io.File(p).isDirectory();
    if (!any) return;
    boolean frozen;
    try {
      frozen = cgroup.isFrozen();
    } catch (CgroupException | RuntimeException e) {
      return; // not there yet: nothing to check
    }
    if (frozen) throw new SetupFailure("container's cgroup unexpectedly frozen", 0, null);
    try {
      int others = cgroup.pids().size();
      if (others > 0) throw new SetupFailure("container's cgroup is not empty: " + others + " process(es) found", 0, null);
    } catch (CgroupException | RuntimeException e) {
      // not there, or raced with its removal: nothing to refuse
    }
  }

  /**
   * The name of this process's user (the owner of /proc/self: its effective uid), as runc's
   * {@code user.Current()}. The name of the last uid met is kept: a passwd look-up (nsswitch,
   * /etc/passwd read and parsed) on every create cost more than the stat of /proc/self that
   * tells whether the uid is still the one named.
   */
  private static String ownerName() {
    try {
      Path self = Path.of("/proc/self");
      int uid = (Integer) Files.getAttribute(self, "unix:uid");
      Owner known = lastOwner;
      if (known != null && known.uid() == uid) return known.name();
      String name = Files.getOwner(self).getName();
      lastOwner = new Owner(uid, name);
      return name;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
      return "";
    }
  }

  private record Owner(int uid, String name) {}

  private static volatile Owner lastOwner;
}
