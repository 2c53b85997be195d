package io.jrunc.core.spawn;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jrunc.core.sys.Arch;
import io.jrunc.core.sys.ExecutableCode;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.SysException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Set;

/**
 * Starts a child process that runs a {@link ChildProgram} without ever running Java: the
 * trampoline does {@code clone3}, returns the pid to Java in the parent, and interprets the
 * program in the child (see {@code shared/docs/spawn.md}: after a fork, a JVM's child must
 * not run Java — safepoints, GC and locks held by other threads make it hang).
 */
public final class Spawner {
  private Spawner() {}

  public static final long CLONE_NEWTIME = 0x80, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_PIDFD = 0x1000,
      CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000, CLONE_NEWUTS = 0x04000000,
      CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000,
      CLONE_NEWNET = 0x40000000L, CLONE_INTO_CGROUP = 0x200000000L;
  private static final int SIGCHLD = 17;

  private static final class Trampoline {
    static final MethodHandle H = load();

    private static MethodHandle load() {
      byte[] code = switch (Arch.current()) {
        case X86_64 -> X86_64Code.trampoline();
      };
      try {
        return ExecutableCode.mapTrampoline(code);
      } catch (SysException e) {
        throw new IllegalStateException("cannot map the spawn trampoline: " + e.getMessage(), e);
      }
    }
  }

  /** Maps the trampoline now (it is otherwise mapped on the first clone). */
  public static void prepare() {
    if (Trampoline.H == null) throw new IllegalStateException("no trampoline");
  }

  /** A started child: its pid and, when asked for, a pidfd (-1 otherwise). */
  public record Child(int pid, int pidfd) {}

  /**
   * Clones the child. {@code flags} are CLONE_* namespace flags (and CLONE_PIDFD); with a
   * {@code cgroupFd} &ge; 0 the child starts inside that cgroup v2 directory
   * (CLONE_INTO_CGROUP, Linux 5.7), so limits and accounting cover it from its first
   * instruction.
   */
  public static Child clone(ChildProgram program, SpawnChannel channel, long flags, int cgroupFd)
      throws SysException {
    program.reportFd(channel.reportWrite());
    try (Arena arena = Arena.ofConfined()) {
      // struct clone_args (CLONE_ARGS_SIZE_VER2 = 88 bytes): flags, pidfd, child_tid,
      // parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup.
      MemorySegment args = arena.allocate(88, 8);
      MemorySegment pidfd = arena.allocate(JAVA_INT);
      pidfd.set(JAVA_INT, 0, -1);
      long f = flags;
      if (cgroupFd >= 0) f |= CLONE_INTO_CGROUP;
      args.set(JAVA_LONG, 0, f);
      args.set(JAVA_LONG, 8, pidfd.address());
      args.set(JAVA_LONG, 32, SIGCHLD);
      args.set(JAVA_LONG, 80, cgroupFd >= 0 ? cgroupFd : 0);
      long r = (long) Trampoline.H.invokeExact(args, 88L, program.memory());
      if (r < 0) {
        throw new SysException("clone3", describeFlags(f), (int) -r);
      }
      channel.closeChildEnds();
      return new Child((int) r, (f & CLONE_PIDFD) != 0 ? pidfd.get(JAVA_INT, 0) : -1);
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      if (t instanceof RuntimeException re) throw re;
      if (t instanceof Error err) throw err;
      throw new IllegalStateException(t);
    }
  }

  /** What the child said, once it is ready, exec'd, or announced something. */
  public record Report(boolean ready, boolean eof, int announcingStep, long value) {
    public boolean hooks() {
      return announcingStep == (int) SpawnChannel.HOOKS;
    }
  }

  /**
   * Reads the next report. A failed step throws {@link StepFailedException} after reaping the
   * child; steps listed in {@code announcing} carry a value instead of an error.
   */
  public static Report next(ChildProgram program, SpawnChannel channel, int pid, Set<Integer> announcing)
      throws SysException, StepFailedException {
    long[] rec = channel.next();
    if (rec == null) return new Report(false, true, -1, 0);
    if (rec[0] == SpawnChannel.READY) return new Report(true, false, -1, 0);
    if (rec[0] == SpawnChannel.HOOKS) return new Report(false, false, (int) SpawnChannel.HOOKS, 0);
    int index = (int) rec[0];
    if (announcing.contains(index)) return new Report(false, false, index, rec[1]);
    reap(pid);
    throw new StepFailedException(program.description(index), index, rec[1]);
  }

  private static void reap(int pid) {
    try {
      Libc.wait4(pid, 0);
    } catch (SysException ignored) {
      // already reaped or not our child: nothing left to collect
    }
  }

  static String describeFlags(long f) {
    StringBuilder sb = new StringBuilder("with flags");
    String[] names = {"NEWNS", "NEWCGROUP", "NEWUTS", "NEWIPC", "NEWUSER", "NEWPID", "NEWNET", "NEWTIME", "INTO_CGROUP", "PIDFD"};
    long[] bits = {CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWTIME, CLONE_INTO_CGROUP, CLONE_PIDFD};
    for (int i = 0; i < bits.length; i++) if ((f & bits[i]) != 0) sb.append(" CLONE_").append(names[i]);
    return sb.toString();
  }
}
