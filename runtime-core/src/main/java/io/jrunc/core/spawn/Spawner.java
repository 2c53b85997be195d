package io.jrunc.core.spawn;

import static io.jrunc.core.sys.Clone.CLONE_INTO_CGROUP;
import static io.jrunc.core.sys.Clone.CLONE_NEWCGROUP;
import static io.jrunc.core.sys.Clone.CLONE_NEWIPC;
import static io.jrunc.core.sys.Clone.CLONE_NEWNET;
import static io.jrunc.core.sys.Clone.CLONE_NEWNS;
import static io.jrunc.core.sys.Clone.CLONE_NEWPID;
import static io.jrunc.core.sys.Clone.CLONE_NEWTIME;
import static io.jrunc.core.sys.Clone.CLONE_NEWUSER;
import static io.jrunc.core.sys.Clone.CLONE_NEWUTS;
import static io.jrunc.core.sys.Clone.CLONE_PIDFD;
import static io.jrunc.core.sys.Clone.CLONE_VFORK;
import static io.jrunc.core.sys.Clone.CLONE_VM;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jrunc.core.sys.Arch;
import io.jrunc.core.sys.CloneArgs;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.ExecutableCode;
import io.jrunc.core.sys.Libc;
import io.jrunc.core.sys.Mappings;
import io.jrunc.core.sys.NativeCopy;
import io.jrunc.core.sys.Open;
import io.jrunc.core.sys.Signal;
import io.jrunc.core.sys.Sys;
import io.jrunc.core.sys.SysException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import io.jrunc.core.sys.Memory;

/**
 * Starts a child process that runs a {@link ChildProgram} without ever running Java, and that
 * leaves the JVM's image before it does anything else (design: {@code docs/spawn.md}).
 *
 * <table>
 *   <caption>One spawn</caption>
 *   <tr><th>who</th><th>what</th><th>why</th></tr>
 *   <tr><td>parent (Java)</td><td>writes the program's region into a sealed memfd (the
 *       image)</td><td>the child cannot use the JVM's memory once it has exec'd</td></tr>
 *   <tr><td>trampoline</td><td>blocks all signals, clone3 (CLONE_VM|CLONE_VFORK when the
 *       flags allow: no copy of the JVM's page tables), restores the mask</td><td>no JVM
 *       signal handler can run in the child</td></tr>
 *   <tr><td>child, still the JVM's image</td><td>close_range(3, ~0, CLOEXEC); clear CLOEXEC on
 *       exactly the descriptors the program names, the image's and the report pipe's;
 *       {@code execveat(stub, "", AT_EMPTY_PATH)}</td><td>everything not named
 *       is closed by the exec, before any setns or mount (CVE-2024-21626); no Java, no stack
 *       writes</td></tr>
 *   <tr><td>stub</td><td>maps the image privately at its own address, runs the program to
 *       its execve</td><td>{@code /proc/self/exe} is a sealed memfd, nothing of the host is
 *       mapped (CVE-2019-5736)</td></tr>
 * </table>
 */
public final class Spawner {
  private Spawner() {}

  /*
   * The trampoline's executable mapping and the stub ELF in a sealed memfd are made on the first
   * clone and kept for the JVM's life (the memfd CLOEXEC). Not in class-initialisation holders:
   * a failure there (memfd_create with no descriptor left: EMFILE) became an
   * ExceptionInInitializerError and every later clone of the JVM a NoClassDefFoundError. Here a
   * failure is the SysException that names it, and the next clone tries again.
   */
  private static volatile ExecutableCode trampoline;
  private static volatile int stubFd = -1;

  private static ExecutableCode trampoline() throws SysException {
    ExecutableCode c = trampoline;
    if (c != null) return c;
    synchronized (Spawner.class) {
      if (trampoline == null) {
        byte[] code = switch (Arch.current()) {
          case X86_64 -> X86_64Code.trampoline();
        };
        trampoline = ExecutableCode.mapTrampoline(code);
      }
      return trampoline;
    }
  }

  private static int stubFd() throws SysException {
    int fd = stubFd;
    if (fd >= 0) return fd;
    synchronized (Spawner.class) {
      if (stubFd < 0) {
        byte[] elf = StubImage.build(Arch.current());
        try (Arena a = Arena.ofConfined()) {
          MemorySegment m = a.allocate(elf.length);
          NativeCopy.fromBytes(elf, 0, m, 0, elf.length);
          stubFd = Mappings.sealedMemfd("jrunc", m, elf.length);
        }
      }
      return stubFd;
    }
  }

  /** Maps the trampoline and makes the stub now (otherwise done on the first clone). */
  public static void prepare() throws SysException {
    trampoline();
    stubFd();
  }

  /** A started child: its pid and, when asked for, a pidfd (-1 otherwise). */
  public record Child(int pid, int pidfd) {}

  /**
   * Clones the child. {@code flags} are CLONE_* namespace flags (and CLONE_PIDFD); with a
   * CLONE_NEWUSER whose maps are not written yet the stub starts without capabilities (its
   * exec is an unprivileged user's there): a program that needs them unshares the user
   * namespace itself, as init's does (ProcessSteps.unshareUserNamespace). With a
   * {@code cgroupFd} &ge; 0 the child starts inside that cgroup v2 directory
   * (CLONE_INTO_CGROUP, Linux 5.7), so limits and accounting cover it from its first
   * instruction. The child keeps stdio, the program's {@link ChildProgram#inherited()}
   * descriptors and the channel's child ends; every other descriptor is closed.
   */
  public static Child clone(ChildProgram program, SpawnChannel channel, long flags, int cgroupFd)
      throws SysException {
    program.reportFd(channel.reportWrite());
    int image = Mappings.sealedMemfd("jrunc:program", program.memory(), program.length());
    try (ProgramBuilder leave = new ProgramBuilder(); Arena arena = Arena.ofConfined()) {
      TreeSet<Integer> keep = new TreeSet<>(program.inherited());
      keep.add(channel.reportWrite());
      keep.add(channel.syncRead());
      keep.add(image);
      ExecutableCode trampoline = trampoline();
      ChildProgram pre = leaveJvm(leave, keep, image, stubFd());
      pre.reportFd(channel.reportWrite());
      program.leaveJvmDescriptions(pre);
      MemorySegment args = CloneArgs.LAYOUT.allocate(arena);
      MemorySegment pidfd = arena.allocate(JAVA_INT);
      Memory.setInt(pidfd, 0, -1);
      long f = flags;
      if (cgroupFd >= 0) f |= CLONE_INTO_CGROUP;
      long cgroup = cgroupFd >= 0 ? cgroupFd : 0;
      // CLONE_VM|CLONE_VFORK: the child shares our memory until its execveat of the stub (it
      // writes only the leave-the-JVM program's result slots, never the stack) and we wait
      // for that exec, so nothing of the JVM is copied. Some flag combinations refuse it
      // (a new time namespace needs its own mm): then an ordinary copy-on-write clone.
      long r = -Errno.EINVAL;
      if ((f & CLONE_NEWTIME) == 0) {
        CloneArgs.write(args, f | CLONE_VM | CLONE_VFORK, pidfd.address(), Signal.SIGCHLD, cgroup);
        r = trampoline.call(args, args.byteSize(), pre.memory());
      }
      if (r == -Errno.EINVAL) {
        CloneArgs.write(args, f, pidfd.address(), Signal.SIGCHLD, cgroup);
        r = trampoline.call(args, args.byteSize(), pre.memory());
      }
      if (r < 0) {
        throw new SysException("clone3", describeFlags(f), (int) -r);
      }
      channel.closeChildEnds();
      return new Child((int) r, (f & CLONE_PIDFD) != 0 ? Memory.getInt(pidfd, 0) : -1);
    } catch (SysException e) {
      throw e;
    } catch (Throwable t) {
      if (t instanceof RuntimeException re) throw re;
      if (t instanceof Error err) throw err;
      throw new IllegalStateException(t);
    } finally {
      Libc.close(image);
    }
  }

  /**
   * The steps the child runs while it is still a copy of the JVM: keep exactly {@code keep},
   * and exec the stub with the image's fd as argv[1].
   */
  private static ChildProgram leaveJvm(ProgramBuilder b, Set<Integer> keep, int image, int stub) {
    b.indexBase = SpawnChannel.LEAVE_JVM_BASE;
    b.call(Sys.CLOSE_RANGE, 3L, 0xffffffffL, (long) Open.CLOSE_RANGE_CLOEXEC)
        .describe("mark the runtime's descriptors close-on-exec before leaving the JVM");
    for (int fd : keep) {
      b.call(Sys.FCNTL, (long) fd, (long) Open.F_SETFD, 0L).describe("keep descriptor ", fd, " for the container's process");
    }
    b.call(Sys.EXECVEAT, (long) stub, "", b.stringArray(List.of("jrunc:spawn", Integer.toString(image))),
        b.stringArray(List.of()), (long) Open.AT_EMPTY_PATH).describe("execute the spawn stub");
    return b.build();
  }

  private static final class LastCap {
    static final int VALUE = read();

    private static int read() {
      // Not Files.readString: on procfs (size 0) the JDK reads this file as its first byte only, "4".
      try (var in = new java.io.FileInputStream("/proc/sys/kernel/cap_last_cap")) {
        return Integer.parseInt(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim());
      } catch (java.io.IOException | NumberFormatException e) {
        return 40; // pre-3.2 kernels lack the file: CAP_CHECKPOINT_RESTORE, the last one Linux 5.9+ has
      }
    }
  }

  /** {@code /proc/sys/kernel/cap_last_cap}, read once (40 when the kernel lacks the file). */
  public static int lastCap() {
    return LastCap.VALUE;
  }

  /** What the child said, once it is ready, exec'd, or announced something. */
  public record Report(boolean ready, boolean eof, int announcingStep, long value) {
    public boolean hooks() {
      return announcingStep == (int) SpawnChannel.HOOKS;
    }

    public boolean userNamespace() {
      return announcingStep == (int) SpawnChannel.USERNS;
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
    if (rec[0] == SpawnChannel.HOOKS || rec[0] == SpawnChannel.USERNS) return new Report(false, false, (int) rec[0], 0);
    int index = (int) rec[0];
    // an announcing step reports its value (a pid, an fd number: never negative) and goes on;
    // when it fails it reports {index, -errno} as any step does, and exits
    if (announcing.contains(index) && rec[1] >= 0) return new Report(false, false, index, rec[1]);
    reap(pid);
    if (rec[0] == SpawnChannel.STUB_MAP) {
      throw new StepFailedException("map the child program into the spawn stub", index, rec[1]);
    }
    throw new StepFailedException(program.description(rec[0]), index, rec[1], program.says(rec[0]));
  }

  /**
   * After start released init: waits (at most {@code timeoutMillis}) for the end of its report
   * pipe, whose read end {@code reportRead} create kept ({@link SpawnChannel#detachReportRead}):
   * EOF when its execve closed the close-on-exec write end, or the report of the step that failed
   * on the way (the execve of a script whose interpreter is missing, say), as the child exits.
   * Returns at EOF or timeout; the caller closes the fd.
   */
  public static void awaitExec(ChildProgram program, int reportRead, long timeoutMillis)
      throws SysException, StepFailedException {
    if (!Libc.awaitReadable(reportRead, timeoutMillis)) return;
    long[] rec = SpawnChannel.next(reportRead);
    if (rec == null || rec[1] >= 0) return;
    throw new StepFailedException(program.description(rec[0]), (int) rec[0], rec[1], program.says(rec[0]));
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
