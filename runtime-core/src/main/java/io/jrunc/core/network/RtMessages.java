package io.jrunc.core.network;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * rtnetlink(7) messages, built and parsed as bytes (no system calls here, so all of it is
 * unit-tested without root). Layouts, all in host byte order, each part padded to 4 bytes:
 *
 * <pre>
 * | part                 | fields                                                              | bytes |
 * |----------------------|---------------------------------------------------------------------|-------|
 * | struct nlmsghdr      | u32 len, u16 type, u16 flags, u32 seq, u32 pid                      | 16    |
 * | struct ifinfomsg     | u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change       | 16    |
 * | struct ifaddrmsg     | u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index              | 8     |
 * | struct nlattr        | u16 len (header + payload), u16 type, payload                       | 4 + n |
 * | struct nlmsgerr      | s32 error (0 = ACK, else -errno), then the request's nlmsghdr       | 20    |
 * </pre>
 *
 * A request is one nlmsghdr, its family header, then attributes. The kernel answers with
 * messages of the same shape; a dump ends with NLMSG_DONE, everything else with NLMSG_ERROR.
 */
public final class RtMessages {
  private RtMessages() {}

  static final int NLMSG_ERROR = 2, NLMSG_DONE = 3;
  static final int RTM_NEWLINK = 16, RTM_GETLINK = 18, RTM_NEWADDR = 20, RTM_GETADDR = 22;
  static final int NLM_F_REQUEST = 0x1, NLM_F_MULTI = 0x2, NLM_F_ACK = 0x4, NLM_F_EXCL = 0x200,
      NLM_F_CREATE = 0x400, NLM_F_DUMP = 0x300;
  static final int IFLA_IFNAME = 3, IFLA_NET_NS_FD = 28;
  static final int IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_BROADCAST = 4, IFA_FLAGS = 8;
  static final int IFF_UP = 0x1;
  static final int IFA_F_PERMANENT = 0x80;
  static final int RT_SCOPE_UNIVERSE = 0;
  static final int AF_UNSPEC = 0, AF_INET = 2, AF_INET6 = 10;
  static final int HDRLEN = 16;

  /** A reply message: its type, flags and the bytes after the nlmsghdr. */
  record Message(int type, int flags, byte[] body) {}

  /** A link as RTM_NEWLINK describes it. */
  record Link(int index, int flags, String name) {}

  /**
   * An interface address as RTM_NEWADDR describes it. {@code attributes} holds the ones that
   * are copied when the address is added again elsewhere (address, local, broadcast, flags).
   */
  record Address(int family, int prefixLength, int flags, int scope, int index, Map<Integer, byte[]> attributes) {
    /** IFA_F_PERMANENT may be in the 8-bit header field or only in the 32-bit IFA_FLAGS. */
    int allFlags() {
      byte[] f = attributes.get(IFA_FLAGS);
      return f != null && f.length >= 4 ? le(f).getInt(0) : flags;
    }

    boolean permanentGlobal() {
      return scope == RT_SCOPE_UNIVERSE && (allFlags() & IFA_F_PERMANENT) != 0;
    }
  }

  /** A request under construction. */
  static final class Builder {
    private final ByteBuffer buf = le(ByteBuffer.allocate(4096));

    Builder(int type, int flags, int seq) {
      buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
    }

    /** struct ifinfomsg. */
    Builder ifinfo(int family, int index, int flags, int change) {
      buf.put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags).putInt(change);
      return this;
    }

    /** struct ifaddrmsg. */
    Builder ifaddr(int family, int prefixLength, int flags, int scope, int index) {
      buf.put((byte) family).put((byte) prefixLength).put((byte) flags).put((byte) scope).putInt(index);
      return this;
    }

    Builder attr(int type, byte[] payload) {
      buf.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
      while (buf.position() % 4 != 0) buf.put((byte) 0);
      return this;
    }

    Builder attr(int type, int value) {
      return attr(type, le(ByteBuffer.allocate(4)).putInt(value).array());
    }

    /** A NUL-terminated string attribute (IFLA_IFNAME). */
    Builder attr(int type, String value) {
      byte[] s = value.getBytes(StandardCharsets.UTF_8);
      byte[] z = new byte[s.length + 1];
      System.arraycopy(s, 0, z, 0, s.length);
      return attr(type, z);
    }

    byte[] build() {
      buf.putInt(0, buf.position());
      byte[] out = new byte[buf.position()];
      buf.get(0, out);
      return out;
    }
  }

  /** RTM_GETLINK for one interface by name. */
  static byte[] getLink(int seq, String name) {
    return new Builder(RTM_GETLINK, NLM_F_REQUEST, seq).ifinfo(AF_UNSPEC, 0, 0, 0).attr(IFLA_IFNAME, name).build();
  }

  /** RTM_GETLINK dump of every interface. */
  static byte[] dumpLinks(int seq) {
    return new Builder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq).ifinfo(AF_UNSPEC, 0, 0, 0).build();
  }

  /** RTM_GETADDR dump of every address of every family. */
  static byte[] dumpAddresses(int seq) {
    return new Builder(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq).ifaddr(AF_UNSPEC, 0, 0, 0, 0).build();
  }

  /**
   * RTM_NEWLINK moving interface {@code index} into the namespace of {@code netnsFd}, renamed
   * to {@code newName} when that is not null (one request: the kernel checks the name in the
   * target namespace and expands a {@code %d} template there).
   */
  static byte[] moveLink(int seq, int index, int netnsFd, String newName) {
    Builder b = new Builder(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq).ifinfo(AF_UNSPEC, index, 0, 0)
        .attr(IFLA_NET_NS_FD, netnsFd);
    if (newName != null) b.attr(IFLA_IFNAME, newName);
    return b.build();
  }

  /** RTM_NEWLINK setting IFF_UP on interface {@code index}. */
  static byte[] setUp(int seq, int index) {
    return new Builder(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq).ifinfo(AF_UNSPEC, index, IFF_UP, IFF_UP).build();
  }

  /** RTM_NEWADDR adding {@code a} (its address attributes copied) to interface {@code index}. */
  static byte[] addAddress(int seq, int index, Address a) {
    Builder b = new Builder(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq)
        .ifaddr(a.family(), a.prefixLength(), a.flags(), a.scope(), index);
    for (var e : a.attributes().entrySet()) b.attr(e.getKey(), e.getValue());
    return b.build();
  }

  /** Splits one received datagram into messages. */
  static List<Message> parse(byte[] datagram) {
    ByteBuffer b = le(ByteBuffer.wrap(datagram));
    List<Message> out = new ArrayList<>();
    int off = 0;
    while (off + HDRLEN <= datagram.length) {
      int len = b.getInt(off);
      if (len < HDRLEN || off + len > datagram.length) break;
      int type = Short.toUnsignedInt(b.getShort(off + 4));
      int flags = Short.toUnsignedInt(b.getShort(off + 6));
      byte[] body = new byte[len - HDRLEN];
      b.get(off + HDRLEN, body);
      out.add(new Message(type, flags, body));
      off += align(len);
    }
    return out;
  }

  /** The errno an NLMSG_ERROR carries (0 for an ACK). */
  static int error(Message m) {
    return m.body().length >= 4 ? -le(ByteBuffer.wrap(m.body())).getInt(0) : 0;
  }

  static Link link(Message m) {
    ByteBuffer b = le(ByteBuffer.wrap(m.body()));
    int index = b.getInt(4);
    int flags = b.getInt(8);
    byte[] name = attributes(m.body(), 16).get(IFLA_IFNAME);
    return new Link(index, flags, name == null ? null : cString(name));
  }

  static Address address(Message m) {
    ByteBuffer b = le(ByteBuffer.wrap(m.body()));
    Map<Integer, byte[]> all = attributes(m.body(), 8);
    Map<Integer, byte[]> kept = new LinkedHashMap<>();
    for (int t : new int[] {IFA_ADDRESS, IFA_LOCAL, IFA_BROADCAST, IFA_FLAGS}) {
      if (all.containsKey(t)) kept.put(t, all.get(t));
    }
    return new Address(Byte.toUnsignedInt(b.get(0)), Byte.toUnsignedInt(b.get(1)), Byte.toUnsignedInt(b.get(2)),
        Byte.toUnsignedInt(b.get(3)), b.getInt(4), kept);
  }

  /** The attributes after a family header of {@code headerLength} bytes, by type (nested bit cleared). */
  static Map<Integer, byte[]> attributes(byte[] body, int headerLength) {
    ByteBuffer b = le(ByteBuffer.wrap(body));
    Map<Integer, byte[]> out = new LinkedHashMap<>();
    int off = align(headerLength);
    while (off + 4 <= body.length) {
      int len = Short.toUnsignedInt(b.getShort(off));
      int type = Short.toUnsignedInt(b.getShort(off + 2)) & 0x3fff;
      if (len < 4 || off + len > body.length) break;
      byte[] payload = new byte[len - 4];
      b.get(off + 4, payload);
      out.putIfAbsent(type, payload);
      off += align(len);
    }
    return out;
  }

  static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) n++;
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  static int align(int n) {
    return (n + 3) & ~3;
  }

  private static ByteBuffer le(ByteBuffer b) {
    return b.order(ByteOrder.nativeOrder());
  }

  private static ByteBuffer le(byte[] b) {
    return le(ByteBuffer.wrap(b));
  }
}
