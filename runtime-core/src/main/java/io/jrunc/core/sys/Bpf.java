package io.jrunc.core.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * {@code bpf(2)}: the commands cgroup v2 device control needs. glibc has no wrapper, so
 * {@code long syscall(SYS_bpf, int cmd, union bpf_attr *attr, unsigned int size)} through
 * {@link Libc#syscallRaw}. Each {@code union bpf_attr} is a zeroed 128-byte segment in a
 * confined arena: the kernel accepts a larger attr as long as the bytes it does not know are
 * zero, and copies only {@code size} bytes.
 *
 * <table>
 * <caption>bpf_attr layouts used (offsets in bytes, include/uapi/linux/bpf.h)</caption>
 * <tr><th>command</th><th>fields</th></tr>
 * <tr><td>BPF_PROG_LOAD (5)</td><td>0 prog_type u32, 4 insn_cnt u32, 8 insns u64, 16 license u64,
 *     24 log_level u32, 28 log_size u32, 32 log_buf u64, 40 kern_version u32, 44 prog_flags u32,
 *     48 prog_name char[16], 64 prog_ifindex u32, 68 expected_attach_type u32</td></tr>
 * <tr><td>BPF_PROG_ATTACH (8) / BPF_PROG_DETACH (9)</td><td>0 target_fd u32, 4 attach_bpf_fd u32,
 *     8 attach_type u32, 12 attach_flags u32</td></tr>
 * <tr><td>BPF_PROG_GET_FD_BY_ID (13)</td><td>0 prog_id u32, 4 next_id u32, 8 open_flags u32</td></tr>
 * <tr><td>BPF_PROG_QUERY (16)</td><td>0 target_fd u32, 4 attach_type u32, 8 query_flags u32,
 *     12 attach_flags u32, 16 prog_ids u64, 24 prog_cnt u32</td></tr>
 * </table>
 */
public final class Bpf {
  private Bpf() {}

  public static final int BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_DETACH = 9,
      BPF_PROG_GET_FD_BY_ID = 13, BPF_PROG_QUERY = 16;
  public static final int BPF_PROG_TYPE_CGROUP_DEVICE = 15;
  public static final int BPF_CGROUP_DEVICE = 6;
  public static final int BPF_F_ALLOW_MULTI = 2;
  private static final int ATTR_SIZE = 128;

  private static long bpf(int cmd, MemorySegment attr) {
    long r;
    do {
      r = Libc.syscallRaw(Sys.BPF, cmd, attr.address(), ATTR_SIZE, 0, 0, 0);
    } while (r == -Errno.EINTR || (cmd == BPF_PROG_LOAD && r == -Errno.EAGAIN));
    return r;
  }

  /**
   * Loads a {@code BPF_PROG_TYPE_CGROUP_DEVICE} program. {@code insns} holds one
   * {@code struct bpf_insn} per element, packed little-endian the way the kernel reads it
   * (code | dst_reg&lt;&lt;8 | src_reg&lt;&lt;12 | off&lt;&lt;16 | imm&lt;&lt;32). On failure the
   * load is repeated with the verifier log on, and the log's last line becomes part of the error.
   *
   * @return the program fd (close it with {@link Libc#close} once attached)
   */
  public static int loadCgroupDeviceProgram(long[] insns, String license) throws SysException {
    int r = load(insns, license, false, null);
    if (r >= 0) return r;
    String[] log = new String[1];
    int again = load(insns, license, true, log);
    if (again >= 0) return again;
    String detail = log[0] == null || log[0].isBlank() ? "" : " (verifier: " + lastLine(log[0]) + ")";
    throw new SysException("bpf(BPF_PROG_LOAD) of the device filter" + detail, null, -r);
  }

  private static int load(long[] insns, String license, boolean withLog, String[] logOut) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment prog = arena.allocate(JAVA_LONG, insns.length);
      NativeCopy.fromLongs(insns, 0, prog, 0, insns.length);
      MemorySegment lic = NativeCopy.cString(arena, license);
      MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
      int logSize = 1 << 16;
      MemorySegment log = withLog ? arena.allocate(logSize) : MemorySegment.NULL;
      Memory.setInt(attr, 0, BPF_PROG_TYPE_CGROUP_DEVICE);
      Memory.setInt(attr, 4, insns.length);
      Memory.setLong(attr, 8, prog.address());
      Memory.setLong(attr, 16, lic.address());
      if (withLog) {
        Memory.setInt(attr, 24, 1);
        Memory.setInt(attr, 28, logSize);
        Memory.setLong(attr, 32, log.address());
      }
      byte[] name = "jrunc_devices".getBytes(StandardCharsets.US_ASCII);
      NativeCopy.fromBytes(name, 0, attr, 48, name.length);
      Memory.setInt(attr, 68, BPF_CGROUP_DEVICE);
      long r = bpf(BPF_PROG_LOAD, attr);
      if (withLog && logOut != null) logOut[0] = Memory.cString(log, 0);
      return (int) r;
    }
  }

  /** BPF_PROG_ATTACH {@code progFd} to the cgroup directory {@code cgroupFd}. */
  public static void attach(int cgroupFd, int progFd, int attachType, int flags, String cgroup) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
      Memory.setInt(attr, 0, cgroupFd);
      Memory.setInt(attr, 4, progFd);
      Memory.setInt(attr, 8, attachType);
      Memory.setInt(attr, 12, flags);
      long r = bpf(BPF_PROG_ATTACH, attr);
      if (r < 0) throw new SysException("bpf(BPF_PROG_ATTACH) device filter to", cgroup, (int) -r);
    }
  }

  /** BPF_PROG_DETACH the program {@code progFd} from the cgroup directory {@code cgroupFd}. */
  public static void detach(int cgroupFd, int progFd, int attachType, String cgroup) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
      Memory.setInt(attr, 0, cgroupFd);
      Memory.setInt(attr, 4, progFd);
      Memory.setInt(attr, 8, attachType);
      long r = bpf(BPF_PROG_DETACH, attr);
      if (r < 0) throw new SysException("bpf(BPF_PROG_DETACH) device filter from", cgroup, (int) -r);
    }
  }

  /** BPF_PROG_QUERY: the ids of the programs attached directly to the cgroup (at most 64). */
  public static int[] query(int cgroupFd, int attachType, String cgroup) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      int max = 64;
      MemorySegment ids = arena.allocate(JAVA_INT, max);
      MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
      Memory.setInt(attr, 0, cgroupFd);
      Memory.setInt(attr, 4, attachType);
      Memory.setLong(attr, 16, ids.address());
      Memory.setInt(attr, 24, max);
      long r = bpf(BPF_PROG_QUERY, attr);
      if (r < 0) throw new SysException("bpf(BPF_PROG_QUERY) device filters of", cgroup, (int) -r);
      int n = Math.min(max, Memory.getInt(attr, 24));
      int[] out = new int[n];
      for (int i = 0; i < n; i++) out[i] = Memory.getInt(ids, 4L * i);
      return out;
    }
  }

  /** BPF_PROG_GET_FD_BY_ID: an fd for an attached program, to detach it. */
  public static int programFd(int id) throws SysException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
      Memory.setInt(attr, 0, id);
      long r = bpf(BPF_PROG_GET_FD_BY_ID, attr);
      if (r < 0) throw new SysException("bpf(BPF_PROG_GET_FD_BY_ID)", "program " + id, (int) -r);
      return (int) r;
    }
  }

  private static String lastLine(String log) {
    String[] lines = log.strip().split("\n");
    return lines[lines.length - 1].strip();
  }
}
