package io.jrunc.spec;

import java.util.List;

/**
 * The closed value sets of runtime-spec 1.3.0 (Linux), shared by validation and by the
 * {@code features} document. Where the kernel numbers the values, the list index is the number.
 */
public final class KnownValues {

    private KnownValues() {
    }

    /** The oldest and newest spec versions jrunc accepts in {@code ociVersion}. */
    public static final String OCI_VERSION_MIN = "1.0.0";
    public static final String OCI_VERSION_MAX = "1.3.0";
    /** The version jrunc writes. */
    public static final String OCI_VERSION = "1.3.0";

    /** capabilities(7); index == capability number (include/uapi/linux/capability.h, CAP_LAST_CAP = 40 since 5.9). */
    public static final List<String> CAPABILITIES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
            "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
            "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
            "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
            "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
            "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
            "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    /** getrlimit(2); index == resource number (asm-generic, valid for x86_64 and aarch64). */
    public static final List<String> RLIMITS = List.of(
            "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
            "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
            "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

    public static final List<String> NAMESPACES = List.of(
            "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time");

    /**
     * Mount options jrunc understands (and {@code features} reports): mount(2) flags and their
     * negations, propagation, the recursive forms applied with mount_setattr(2) (Linux 5.12),
     * {@code tmpcopyup}, and the id-mapped bind mounts {@code idmap}/{@code ridmap}. Anything
     * else is passed to the filesystem as data.
     */
    public static final List<String> MOUNT_OPTIONS = List.of(
            "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec",
            "iversion", "lazytime", "loud", "mand", "noatime", "nodev", "nodiratime", "noexec",
            "noiversion", "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid",
            "nosymfollow", "private", "ratime", "rbind", "rdev", "rdiratime", "relatime",
            "remount", "rexec", "rnoatime", "rnodev", "rnodiratime", "rnoexec", "rnorelatime",
            "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro",
            "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable",
            "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync",
            "tmpcopyup", "idmap", "ridmap", "unbindable");

    public static final List<String> HOOKS = List.of(
            "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop");

    public static final List<String> SECCOMP_ACTIONS = List.of(
            "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
            "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY");

    public static final List<String> SECCOMP_OPERATORS = List.of(
            "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
            "SCMP_CMP_MASKED_EQ");

    public static final List<String> SECCOMP_ARCHS = List.of(
            "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
            "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
            "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
            "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC",
            "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
            "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");

    public static final List<String> SECCOMP_FLAGS = List.of(
            "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");

    /** sched(7) policies. */
    public static final List<String> SCHEDULER_POLICIES = List.of(
            "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE",
            "SCHED_DEADLINE");

    /** sched_setattr(2) flags. */
    public static final List<String> SCHEDULER_FLAGS = List.of(
            "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN",
            "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
            "SCHED_FLAG_UTIL_CLAMP_MAX");

    public static final List<String> IO_PRIORITY_CLASSES = List.of(
            "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");

    /** set_mempolicy(2) modes; index == MPOL_* value. */
    public static final List<String> MEMORY_POLICY_MODES = List.of(
            "MPOL_DEFAULT", "MPOL_PREFERRED", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_LOCAL",
            "MPOL_PREFERRED_MANY", "MPOL_WEIGHTED_INTERLEAVE");

    public static final List<String> MEMORY_POLICY_FLAGS = List.of(
            "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES");

    public static final List<String> PERSONALITY_DOMAINS = List.of("LINUX", "LINUX32");

    /** linux.rootfsPropagation: the spec's four plus the recursive forms runc also accepts. */
    public static final List<String> ROOTFS_PROPAGATIONS = List.of(
            "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable");

    public static final List<String> TIME_OFFSET_CLOCKS = List.of("monotonic", "boottime");

    /** linux.devices[].type: char, block, unbuffered char, fifo. */
    public static final List<String> DEVICE_TYPES = List.of("c", "b", "u", "p");

    /** linux.resources.devices[].type. */
    public static final List<String> DEVICE_CGROUP_TYPES = List.of("a", "c", "b");
}
