package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every struct layout of {@code sys} against the kernel's ABI on x86-64 (aarch64 is the same):
 * the size and each field's offset as the kernel headers give them (the numbers below are
 * written out, not computed), and each writer's bytes read back at those raw offsets.
 */
class StructLayoutsTest {
  private final Arena arena = Arena.ofConfined();

  @AfterEach
  void close() {
    arena.close();
  }

  /** The offsets of {@code layout}'s named fields, in order. */
  private static Map<String, Long> offsets(Struct layout, String... fields) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String f : fields) m.put(f, layout.offset(f));
    return m;
  }

  private static Map<String, Long> expect(Object... nameOffset) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < nameOffset.length; i += 2) m.put((String) nameOffset[i], ((Number) nameOffset[i + 1]).longValue());
    return m;
  }

  @Test
  void cloneArgsIsVer2With88BytesAndTheCgroupAt80() {
    assertThat(CloneArgs.LAYOUT.byteSize()).isEqualTo(88);
    assertThat(CloneArgs.SIZE_VER2).isEqualTo(88);
    assertThat(offsets(CloneArgs.LAYOUT, "flags", "pidfd", "child_tid", "parent_tid", "exit_signal", "stack",
        "stack_size", "tls", "set_tid", "set_tid_size", "cgroup"))
        .isEqualTo(expect("flags", 0, "pidfd", 8, "child_tid", 16, "parent_tid", 24, "exit_signal", 32, "stack", 40,
            "stack_size", 48, "tls", 56, "set_tid", 64, "set_tid_size", 72, "cgroup", 80));
    MemorySegment s = CloneArgs.write(CloneArgs.LAYOUT.allocate(arena), 0x200008000L, 0x7000, 17, 5);
    assertThat(s.get(JAVA_LONG, 0)).isEqualTo(0x200008000L);
    assertThat(s.get(JAVA_LONG, 8)).isEqualTo(0x7000);
    assertThat(s.get(JAVA_LONG, 32)).isEqualTo(17);
    assertThat(s.get(JAVA_LONG, 80)).isEqualTo(5);
    for (long off : new long[] {16, 24, 40, 48, 56, 64, 72}) assertThat(s.get(JAVA_LONG, off)).isZero();
  }

  @Test
  void openHowIs24Bytes() {
    assertThat(OpenHow.LAYOUT.byteSize()).isEqualTo(24);
    assertThat(OpenHow.SIZE_VER0).isEqualTo(24);
    assertThat(offsets(OpenHow.LAYOUT, "flags", "mode", "resolve")).isEqualTo(expect("flags", 0, "mode", 8, "resolve", 16));
    MemorySegment s = OpenHow.write(OpenHow.LAYOUT.allocate(arena), Open.O_PATH | Open.O_CLOEXEC, 0644,
        Open.RESOLVE_IN_ROOT);
    assertThat(s.get(JAVA_LONG, 0)).isEqualTo(010000000 | 02000000);
    assertThat(s.get(JAVA_LONG, 8)).isEqualTo(0644);
    assertThat(s.get(JAVA_LONG, 16)).isEqualTo(0x10);
  }

  @Test
  void mountAttrIs32Bytes() {
    assertThat(MountAttr.LAYOUT.byteSize()).isEqualTo(32);
    assertThat(MountAttr.SIZE_VER0).isEqualTo(32);
    assertThat(offsets(MountAttr.LAYOUT, "attr_set", "attr_clr", "propagation", "userns_fd"))
        .isEqualTo(expect("attr_set", 0, "attr_clr", 8, "propagation", 16, "userns_fd", 24));
    MemorySegment s = MountAttr.write(MountAttr.LAYOUT.allocate(arena), 1, 0x70, 1 << 18, 9);
    assertThat(new long[] {s.get(JAVA_LONG, 0), s.get(JAVA_LONG, 8), s.get(JAVA_LONG, 16), s.get(JAVA_LONG, 24)})
        .containsExactly(1, 0x70, 1 << 18, 9);
  }

  @Test
  void sockFprogIs16BytesWithThePointerAt8() {
    assertThat(SockFprog.LAYOUT.byteSize()).isEqualTo(16);
    assertThat(offsets(SockFprog.LAYOUT, "len", "filter")).isEqualTo(expect("len", 0, "filter", 8));
    MemorySegment filter = arena.allocate(24);
    MemorySegment s = SockFprog.write(SockFprog.LAYOUT.allocate(arena), 3, filter);
    assertThat(s.get(JAVA_SHORT, 0)).isEqualTo((short) 3);
    assertThat(s.get(JAVA_LONG, 8)).isEqualTo(filter.address());
  }

  @Test
  void msghdrIs56BytesIovec16AndCmsghdrHeader16() {
    assertThat(MsgHdr.LAYOUT.byteSize()).isEqualTo(56);
    assertThat(offsets(MsgHdr.LAYOUT, "msg_name", "msg_namelen", "msg_iov", "msg_iovlen", "msg_control",
        "msg_controllen", "msg_flags"))
        .isEqualTo(expect("msg_name", 0, "msg_namelen", 8, "msg_iov", 16, "msg_iovlen", 24, "msg_control", 32,
            "msg_controllen", 40, "msg_flags", 48));
    assertThat(Iovec.LAYOUT.byteSize()).isEqualTo(16);
    assertThat(offsets(Iovec.LAYOUT, "iov_base", "iov_len")).isEqualTo(expect("iov_base", 0, "iov_len", 8));
    assertThat(CmsgHdr.LAYOUT.byteSize()).isEqualTo(16);
    assertThat(offsets(CmsgHdr.LAYOUT, "cmsg_len", "cmsg_level", "cmsg_type"))
        .isEqualTo(expect("cmsg_len", 0, "cmsg_level", 8, "cmsg_type", 12));
    assertThat(CmsgHdr.LEN_ONE_FD).isEqualTo(20);   // CMSG_LEN(sizeof(int))
    assertThat(CmsgHdr.SPACE_ONE_FD).isEqualTo(24); // CMSG_SPACE(sizeof(int))

    MemorySegment name = arena.allocate(110);
    MemorySegment buf = arena.allocate(8);
    MemorySegment iov = Iovec.write(Iovec.LAYOUT.allocate(arena), buf, 7);
    MemorySegment cmsg = CmsgHdr.writeOneFd(arena.allocate(CmsgHdr.SPACE_ONE_FD), 42);
    MemorySegment msg = MsgHdr.write(MsgHdr.LAYOUT.allocate(arena), name, 13, iov, 1, cmsg, cmsg.byteSize());
    assertThat(msg.get(ADDRESS, 0).address()).isEqualTo(name.address());
    assertThat(msg.get(JAVA_INT, 8)).isEqualTo(13);
    assertThat(msg.get(ADDRESS, 16).address()).isEqualTo(iov.address());
    assertThat(msg.get(JAVA_LONG, 24)).isEqualTo(1);
    assertThat(msg.get(ADDRESS, 32).address()).isEqualTo(cmsg.address());
    assertThat(msg.get(JAVA_LONG, 40)).isEqualTo(24);
    assertThat(msg.get(JAVA_INT, 48)).isZero();
    assertThat(iov.get(ADDRESS, 0).address()).isEqualTo(buf.address());
    assertThat(iov.get(JAVA_LONG, 8)).isEqualTo(7);
    assertThat(Iovec.lenLow32(iov).address()).isEqualTo(iov.address() + 8);
    assertThat(cmsg.get(JAVA_LONG, 0)).isEqualTo(20);
    assertThat(cmsg.get(JAVA_INT, 8)).isEqualTo(1);  // SOL_SOCKET
    assertThat(cmsg.get(JAVA_INT, 12)).isEqualTo(1); // SCM_RIGHTS
    assertThat(cmsg.get(JAVA_INT, 16)).isEqualTo(42);
    assertThat(CmsgHdr.fdSlot(cmsg).address()).isEqualTo(cmsg.address() + 16);
    assertThat(CmsgHdr.firstReceivedFd(cmsg, 24)).isEqualTo(42);
    assertThat(CmsgHdr.firstReceivedFd(cmsg, 0)).isEqualTo(-1);
  }

  @Test
  void capabilityHeaderIs8BytesAndDataIsTwo12ByteStructs() {
    assertThat(CapUserHeader.LAYOUT.byteSize()).isEqualTo(8);
    assertThat(offsets(CapUserHeader.LAYOUT, "version", "pid")).isEqualTo(expect("version", 0, "pid", 4));
    assertThat(CapUserData.LAYOUT.byteSize()).isEqualTo(12);
    assertThat(offsets(CapUserData.LAYOUT, "effective", "permitted", "inheritable"))
        .isEqualTo(expect("effective", 0, "permitted", 4, "inheritable", 8));
    assertThat(CapUserData.V3.byteSize()).isEqualTo(24);

    // the values a program stages (ProgramBuilder.stagedInts): consecutive u32 from FIELDS
    assertThat(CapUserHeader.FIELDS).isZero();
    assertThat(CapUserHeader.v3Fields()).containsExactly(0x20080522, 0); // _LINUX_CAPABILITY_VERSION_3, pid 0
    assertThat(CapUserData.FIELDS).isZero();
    // low words (effective, permitted, inheritable), then high words
    assertThat(CapUserData.v3Fields(0x1_0000_0002L, 0x3_0000_0004L, 0x5_0000_0006L)).containsExactly(2, 4, 6, 1, 3, 5);
  }

  @Test
  void rlimitIs16Bytes() {
    assertThat(Rlimit.LAYOUT.byteSize()).isEqualTo(16);
    assertThat(offsets(Rlimit.LAYOUT, "rlim_cur", "rlim_max")).isEqualTo(expect("rlim_cur", 0, "rlim_max", 8));
    assertThat(Rlimit.FIELDS).isZero();
    assertThat(Rlimit.fields(1024, -1L)).containsExactly(1024L, -1L); // soft, hard (RLIM64_INFINITY)
  }

  @Test
  void winsizeIs8Bytes() {
    assertThat(Winsize.LAYOUT.byteSize()).isEqualTo(8);
    assertThat(offsets(Winsize.LAYOUT, "ws_row", "ws_col", "ws_xpixel", "ws_ypixel"))
        .isEqualTo(expect("ws_row", 0, "ws_col", 2, "ws_xpixel", 4, "ws_ypixel", 6));
    MemorySegment s = Winsize.write(Winsize.LAYOUT.allocate(arena), 50, 65535, 3, 4);
    assertThat(new short[] {s.get(JAVA_SHORT, 0), s.get(JAVA_SHORT, 2), s.get(JAVA_SHORT, 4), s.get(JAVA_SHORT, 6)})
        .containsExactly((short) 50, (short) -1, (short) 3, (short) 4);
    assertThat(new int[] {Winsize.rows(s), Winsize.cols(s), Winsize.xpixel(s), Winsize.ypixel(s)})
        .containsExactly(50, 65535, 3, 4);
  }

  @Test
  void kernelSigactionIs32BytesAsRtSigactionTakesIt() {
    assertThat(KernelSigaction.LAYOUT.byteSize()).isEqualTo(32);
    assertThat(offsets(KernelSigaction.LAYOUT, "sa_handler", "sa_flags", "sa_restorer", "sa_mask"))
        .isEqualTo(expect("sa_handler", 0, "sa_flags", 8, "sa_restorer", 16, "sa_mask", 24));
    assertThat(KernelSigaction.SIGSET.byteSize()).isEqualTo(8); // rt_sigaction's sigsetsize (_NSIG / 8)
    assertThat(KernelSigaction.FIELDS).isZero();
    assertThat(KernelSigaction.defaultFields()).containsExactly(0L, 0L, 0L, 0L); // SIG_DFL, no flags, empty mask
    // handler, SA_RESTORER, restorer, every signal blocked
    assertThat(KernelSigaction.handlerFields(0x1000, 0x2000)).containsExactly(0x1000L, 0x04000000L, 0x2000L, -1L);
  }

  @Test
  void schedAttrIsVer0With48Bytes() {
    assertThat(SchedAttr.LAYOUT.byteSize()).isEqualTo(48);
    assertThat(SchedAttr.SIZE_VER0).isEqualTo(48);
    assertThat(offsets(SchedAttr.LAYOUT, "size", "sched_policy", "sched_flags", "sched_nice", "sched_priority",
        "sched_runtime", "sched_deadline", "sched_period"))
        .isEqualTo(expect("size", 0, "sched_policy", 4, "sched_flags", 8, "sched_nice", 16, "sched_priority", 20,
            "sched_runtime", 24, "sched_deadline", 32, "sched_period", 40));
    MemorySegment s = SchedAttr.write(SchedAttr.LAYOUT.allocate(arena), 6, 0x10, -5, 7, 100, 200, 300);
    assertThat(new int[] {s.get(JAVA_INT, 0), s.get(JAVA_INT, 4), s.get(JAVA_INT, 16), s.get(JAVA_INT, 20)})
        .containsExactly(48, 6, -5, 7);
    assertThat(new long[] {s.get(JAVA_LONG, 8), s.get(JAVA_LONG, 24), s.get(JAVA_LONG, 32), s.get(JAVA_LONG, 40)})
        .containsExactly(0x10, 100, 200, 300);
  }
}
