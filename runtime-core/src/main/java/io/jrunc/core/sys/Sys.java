package io.jrunc.core.sys;

/**
 * System call numbers. The child program (and the few raw calls the parent makes for what
 * glibc lacks) refer to syscalls by this name; {@link Arch} maps them to the running
 * architecture's numbers. Only the {@code *at} forms are listed where one exists, because
 * aarch64 has no {@code open}, {@code mkdir}, {@code mknod}, ... at all.
 */
public enum Sys {
  READ(0), WRITE(1), CLOSE(3), POLL(7), MMAP(9), MPROTECT(10), MUNMAP(11), PREAD64(17), GETCWD(79), FTRUNCATE(77), IOCTL(16), RT_SIGACTION(13), RT_SIGPROCMASK(14),
  SOCKET(41), CONNECT(42), SENDTO(44), RECVFROM(45), SENDMSG(46), RECVMSG(47), BIND(49), LISTEN(50), SOCKETPAIR(53), CLONE(56), EXECVE(59), EXIT(60),
  WAIT4(61), KILL(62), FCNTL(72), CHDIR(80), FCHDIR(81), UMASK(95), GETPID(39),
  SETUID(105), SETGID(106), GETEUID(107), SETPGID(109), GETPPID(110), SETSID(112), SETGROUPS(116),
  SETRESUID(117), SETRESGID(119), SETFSUID(122), SETFSGID(123), CAPGET(125), CAPSET(126), PERSONALITY(135),
  SCHED_SETSCHEDULER(144), PIVOT_ROOT(155), PRCTL(157), SETRLIMIT(160), CHROOT(161),
  MOUNT(165), UMOUNT2(166), SETHOSTNAME(170), SETDOMAINNAME(171), SCHED_SETAFFINITY(203),
  EXIT_GROUP(231), ACCEPT4(288), SET_MEMPOLICY(238), KEYCTL(250), IOPRIO_SET(251), OPENAT(257),
  MKDIRAT(258), MKNODAT(259), FCHOWNAT(260), UNLINKAT(263), SYMLINKAT(266), READLINKAT(267),
  FCHMODAT(268), PPOLL(271), UNSHARE(272), DUP3(292), PIPE2(293), PRLIMIT64(302), SETNS(308),
  SCHED_SETATTR(314), RENAMEAT2(316), SECCOMP(317), MEMFD_CREATE(319), BPF(321), EXECVEAT(322), STATX(332),
  PIDFD_SEND_SIGNAL(424), OPEN_TREE(428), MOVE_MOUNT(429), FSOPEN(430), FSCONFIG(431),
  FSMOUNT(432), FSPICK(433), PIDFD_OPEN(434), CLONE3(435), CLOSE_RANGE(436), OPENAT2(437), PIDFD_GETFD(438),
  FACCESSAT2(439), MOUNT_SETATTR(442),
  // the OOM watch (OomMonitor): eventfd for cgroup v1 notifications, inotify for v2, one epoll loop
  EPOLL_WAIT(232), EPOLL_CTL(233), INOTIFY_ADD_WATCH(254), EVENTFD2(290), EPOLL_CREATE1(291), INOTIFY_INIT1(294);

  private final int x86_64;

  Sys(int x86_64) {
    this.x86_64 = x86_64;
  }

  /** The number on x86-64. Use {@link Arch#nr(Sys)} in code that must run elsewhere. */
  public int x86_64() {
    return x86_64;
  }
}
