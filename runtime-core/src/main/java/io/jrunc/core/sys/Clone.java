package io.jrunc.core.sys;

/**
 * {@code CLONE_*} flags ({@code <linux/sched.h>}) for clone3(2) ({@link CloneArgs#write}),
 * unshare(2) and setns(2). {@code long}: {@code clone_args.flags} is a {@code __u64} and
 * {@code CLONE_INTO_CGROUP} is above bit 31.
 */
public final class Clone {
  private Clone() {}

  public static final long CLONE_NEWTIME = 0x80, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_PIDFD = 0x1000,
      CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000,
      CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000,
      CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000L, CLONE_INTO_CGROUP = 0x200000000L;
}
