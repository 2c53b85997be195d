package io.jrunc.core.container;

import static io.jrunc.core.process.LaunchSupport.removePidFile;
import static io.jrunc.core.process.LaunchSupport.writePidFile;

import io.jrunc.core.cgroup.CgroupManager;
import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Failures;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.process.InitPlanner;
import io.jrunc.core.rootfs.RootfsSetup;
import io.jrunc.core.spawn.ProgramBuilder;
import io.jrunc.core.spawn.SpawnChannel;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.spawn.StepFailedException;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.ProcStat;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.MountTable;
import io.jrunc.core.sys.SysException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * create as a pipeline of five stages, each in its own class:
 *
 * <table>
 *   <caption>create</caption>
 *   <tr><th>stage</th><th>class</th><th>makes</th></tr>
 *   <tr><td>validate, plan</td><td>{@link CreatePlanner} → {@link CreatePlan}</td><td>nothing: every
 *       config error comes out here</td></tr>
 *   <tr><td>acquire</td><td>{@link CreateResources}</td><td>state directory, lock, fifo, fds; then
 *       record and cgroup; each undone if a later stage fails</td></tr>
 *   <tr><td>spawn</td><td>{@link InitSpawn}</td><td>init's program (compiled once the fds are
 *       there, by the {@link CreateHelper} on the other core while record and cgroup are made),
 *       init, driven until it waits on the fifo</td></tr>
 *   <tr><td>record</td><td>{@link CreateResources#record}</td><td>the record with init's pid, the pid file</td></tr>
 * </table>
 */
final class ContainerCreate {
  private final Lifecycle lc;

  ContainerCreate(Lifecycle lc) {
    this.lc = lc;
  }

  Lifecycle.Created create(String id, CreateRequest opts) throws ContainerFailure {
    CreatePlan plan = CreatePlanner.plan(lc, id, opts);
    CreateResources res;
    try {
      res = CreateResources.acquire(lc.store(), plan);
    } catch (ContainerFailure | RuntimeException | Error e) {
      plan.close(); // undone by acquire; an existing id's claim failed before that
      throw e;
    }
    ProgramBuilder b = null;
    CreateHelper.Offered<InitPlanner.Planned> early = null;
    CreateHelper.Offered<Void> config = null;
    CreateHelper.Offered<StateStore.Prepared> last = null;
    try {
      b = new ProgramBuilder();
      // the helper compiles the init program, on the other core, while the cgroup is made; not
      // when the cgroup's making may change what it names (a rootless cgroup not permitted, a
      // rootfs planned again once the notify directory exists)
      RootfsSetup rootfs = res.rootfs;
      CgroupManager.SelfJoin selfJoin = res.selfJoin;
      if (!plan.rootless() && !plan.replanRootfs()) {
        ProgramBuilder into = b;
        early = CreateHelper.offer(() -> InitSpawn.compile(plan, res, into));
      }
      // and then writes config.json's copy, which nothing reads before create returns
      config = CreateHelper.offer(res::writeConfig);
      res.acquireCgroup();
      // the last record is encoded there next, while this thread clones init
      last = CreateHelper.offer(res::prepareRecord);
      InitPlanner.Planned planned = null;
      if (early != null) {
        CreateHelper.Offered<InitPlanner.Planned> f = early;
        early = null;
        if (res.rootfs == rootfs && res.selfJoin == selfJoin) {
          planned = CreateHelper.take(f);
        } else {
          CreateHelper.withdraw(f); // compiled over what changed since: again, into a new builder
          b.close();
          b = new ProgramBuilder();
        }
      }
      if (planned == null) planned = InitSpawn.compile(plan, res, b);
      int init = InitSpawn.spawn(plan, res, planned);
      CreateHelper.take(config);
      // kept past the record, which closes the rest of the channel, for start's word on the exec
      Lifecycle.ExecWatch watch = new Lifecycle.ExecWatch(res.channel.detachReportRead(), init, planned.program());
      ContainerRecord rec;
      boolean pidFileWritten = false;
      try {
        // the pid file before the record: the record hands init over to the container (undo no
        // longer kills it), and a pid file that cannot be written (its directory missing, say)
        // must fail create with nothing left, as runc's does; init was left waiting on the fifo
        if (opts.pidFile() != null) {
          writePidFile(opts.pidFile(), init);
          pidFileWritten = true;
        }
        rec = res.record(CreateHelper.take(last), init, ProcStat.startTime(init));
      } catch (IOException | RuntimeException e) {
        watch.close();
        if (pidFileWritten) removePidFile(opts.pidFile()); // it would name a pid undo ends
        throw e;
      }
      lc.keepExecWatch(id, watch);
      // from now on this JVM's reads of the mount table poll for a change first (one open, once)
      MountTable.watch();
      return new Lifecycle.Created(rec, res.callerPipes);
    } catch (ContainerFailure | IOException | StepFailedException | RuntimeException e) {
      CreateHelper.withdraw(early); // it writes into b, closed below
      CreateHelper.withdraw(config); // it writes into the state directory, removed below
      CreateHelper.withdraw(last); // it reads the cgroup's state, undone below
      throw res.undo(Failures.translate(e));
    } catch (Error e) {
      // even a broken classpath or OOM must not leave a half-made container behind
      CreateHelper.withdraw(early);
      CreateHelper.withdraw(config);
      CreateHelper.withdraw(last);
      res.undo(new SetupFailure(e.toString(), 0, e));
      throw e;
    } finally {
      if (b != null) b.close();
    }
  }

  /**
   * Validates and plans only, then compiles the init program over stand-in descriptors: nothing
   * is made on the host (no state directory, cgroup, fifo or process). For the CLI's AOT
   * training, which so loads the classes of a real create without starting a container.
   */
  String plan(String id, CreateRequest opts) throws ContainerFailure {
    try (CreatePlan plan = CreatePlanner.plan(lc, id, opts);
        SpawnChannel ch = new SpawnChannel();
        ProgramBuilder b = new ProgramBuilder()) {
      int standIn = ch.syncRead();
      Map<String, Integer> joins = new LinkedHashMap<>();
      for (String type : plan.namespaces().joins().keySet()) joins.put(type, standIn);
      InitSpawn.compile(plan, b, new InitSpawn.Fds(joins, ch, standIn, new int[] {-1, -1, -1}, standIn,
          plan.rootfsSetup()));
      Spawner.prepare();
      return plan.summary();
    } catch (SysException x) {
      throw Failures.translate(x);
    }
  }
}
