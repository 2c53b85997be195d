package io.jrunc.core.api.host;

import io.jrunc.core.cgroup.Cgroups;
import io.jrunc.core.container.CreateHelper;
import io.jrunc.core.process.InitPlanner;
import io.jrunc.core.spawn.Spawner;
import io.jrunc.core.sys.LambdaFormSeeds;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;

/**
 * For a short-lived JVM that will surely make system calls (a CLI call of {@code create},
 * {@code run} or {@code exec}): starts the JVM's first downcall link on a platform thread of its
 * own, so that it runs on another core while the caller parses its arguments, reads state and
 * config. In a cold JVM that link costs ~15-30 ms (the JDK spins method handles and a stub at
 * run time; none of it is kept by the AOT cache). A warm JVM (an embedder, the shim) has
 * linked long before and needs none of this.
 *
 * <p>After the link, that thread runs what the command offers it ({@code CreateHelper.serve})
 * until the JVM ends: create's executable and HOME lookups while the main thread plans, init's
 * program compiled and config.json's copy written while it makes the record and the cgroup, the
 * last record encoded while it clones init. The first time nothing waits, it makes the clone's
 * trampoline and the sealed stub, which every spawn of the JVM shares ({@code Spawner.prepare}:
 * ~0.5-1.2 ms of a cold create, assembled and written into a memfd), needed only at the clone; a
 * failure there is left for the first clone, which tries again and reports it. Then it reads
 * what init's compile reads of this process ({@code InitPlanner.readAhead}: the ignored
 * signals), so that the compile, offered later, is that much shorter.
 *
 * <p>It also declares that this thread serves the JVM's {@code CreateHelper}, so that it starts
 * no thread of its own (a warm JVM's helper is one daemon thread, started by its first create).
 *
 * <p>Safe to call any number of times and from any thread: the first system call waits for
 * the link (class initialisation is the lock, so no call sees a half-made handle), and a failed
 * link reaches that call as it would have without this.
 */
public final class NativeAccess {
  private NativeAccess() {}

  /**
   * Starts linking in the background and returns at once. With {@code cgroupsAhead} (a call
   * that makes a container's cgroup: create, run) that thread first reads and parses the
   * host's cgroup mounts, which the main thread would otherwise do ~3 ms after Main, between
   * config.json and the rootfs plan ({@link Cgroups#readHostAhead}, ~0.8 ms interpreted): the
   * link, needed only once planning is done, ends that much later.
   */
  public static void linkInBackground(boolean cgroupsAhead) {
    CreateHelper.declare();
    Libc.linkInBackground(cgroupsAhead ? Cgroups::readHostAhead : () -> {}, () -> CreateHelper.serve(() -> {
      try {
        Spawner.prepare();
      } catch (SysException e) {
        // the first clone makes them again and reports what fails
      }
      InitPlanner.readAhead(); // off the compile, which the clone waits for
    }));
  }

  /**
   * For an AOT training run only (a JVM started with {@code -XX:AOTCacheOutput}): links what
   * lets the cache hold the LambdaForms that the first use of the FFM API generates in every
   * cold JVM (~3 ms of a {@code create}, {@code run} or {@code exec}; see
   * {@code LambdaFormSeeds}). Calls nothing it links; harmless, and useless, elsewhere.
   */
  public static void seedAotCache() {
    LambdaFormSeeds.plant();
  }
}
