package io.jrunc.core.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rtnetlink encoding, byte for byte, without a kernel. */
class RtMessagesTest {

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
  }

  @Test
  void getLinkByNameIsHeaderIfinfoAndAPaddedNameAttribute() {
    byte[] m = RtMessages.getLink(7, "dummy0");
    ByteBuffer b = le(m);
    assertThat(m).hasSize(16 + 16 + 12); // "dummy0\0" is 7 bytes: 4 + 7 padded to 12
    assertThat(b.getInt(0)).isEqualTo(m.length);
    assertThat(b.getShort(4)).isEqualTo((short) RtMessages.RTM_GETLINK);
    assertThat(b.getShort(6)).isEqualTo((short) RtMessages.NLM_F_REQUEST);
    assertThat(b.getInt(8)).isEqualTo(7);
    assertThat(b.getShort(32)).isEqualTo((short) 11);
    assertThat(b.getShort(34)).isEqualTo((short) RtMessages.IFLA_IFNAME);
    assertThat(new String(m, 36, 6)).isEqualTo("dummy0");
    assertThat(m[42]).isZero();
  }

  @Test
  void moveCarriesTheNamespaceFdAndOnlyANewName() {
    byte[] plain = RtMessages.moveLink(1, 5, 42, null);
    Map<Integer, byte[]> a = RtMessages.attributes(java.util.Arrays.copyOfRange(plain, 16, plain.length), 16);
    assertThat(a.keySet()).containsExactly(RtMessages.IFLA_NET_NS_FD);
    assertThat(le(a.get(RtMessages.IFLA_NET_NS_FD)).getInt(0)).isEqualTo(42);
    assertThat(le(plain).getInt(20)).isEqualTo(5); // ifi_index
    assertThat(le(plain).getShort(6) & RtMessages.NLM_F_ACK).isNotZero();

    byte[] renamed = RtMessages.moveLink(1, 5, 42, "eth%d");
    a = RtMessages.attributes(java.util.Arrays.copyOfRange(renamed, 16, renamed.length), 16);
    assertThat(RtMessages.cString(a.get(RtMessages.IFLA_IFNAME))).isEqualTo("eth%d");
  }

  @Test
  void setUpChangesOnlyIffUp() {
    ByteBuffer b = le(RtMessages.setUp(3, 9));
    assertThat(b.getInt(20)).isEqualTo(9);
    assertThat(b.getInt(24)).isEqualTo(RtMessages.IFF_UP); // flags
    assertThat(b.getInt(28)).isEqualTo(RtMessages.IFF_UP); // change mask
  }

  /** A reply datagram as the kernel sends it: several messages, each padded to 4 bytes. */
  private static byte[] datagram(byte[]... messages) {
    ByteBuffer b = le(new byte[4096]);
    for (byte[] m : messages) {
      b.put(m);
      while (b.position() % 4 != 0) b.put((byte) 0);
    }
    byte[] out = new byte[b.position()];
    b.get(0, out);
    return out;
  }

  private static byte[] newAddr(int family, int prefix, int flags, int scope, int index, Map<Integer, byte[]> attrs) {
    var b = new RtMessages.Builder(RtMessages.RTM_NEWADDR, RtMessages.NLM_F_MULTI, 1)
        .ifaddr(family, prefix, flags, scope, index);
    attrs.forEach(b::attr);
    return b.build();
  }

  @Test
  void addressesAreParsedAndFilteredOnPermanentAndGlobal() {
    Map<Integer, byte[]> v4 = new LinkedHashMap<>();
    v4.put(RtMessages.IFA_ADDRESS, new byte[] {(byte) 169, (byte) 254, (byte) 169, 77});
    v4.put(RtMessages.IFA_LOCAL, new byte[] {(byte) 169, (byte) 254, (byte) 169, 77});
    v4.put(3 /* IFA_LABEL: not copied */, "v0\0".getBytes());
    Map<Integer, byte[]> flags = Map.of(RtMessages.IFA_FLAGS, le(new byte[4]).putInt(0, 0x80 | 0x100).array());
    byte[] d = datagram(
        newAddr(RtMessages.AF_INET, 32, 0x80, 0, 3, v4),            // permanent, global: kept
        newAddr(RtMessages.AF_INET, 8, 0x80, 254, 3, v4),           // scope host: dropped
        newAddr(RtMessages.AF_INET6, 64, 0, 0, 3, flags),           // permanent only in IFA_FLAGS
        newAddr(RtMessages.AF_INET6, 64, 0, 0, 3, Map.of()),        // not permanent (e.g. SLAAC)
        new RtMessages.Builder(RtMessages.NLMSG_DONE, RtMessages.NLM_F_MULTI, 1).build());
    List<RtMessages.Message> msgs = RtMessages.parse(d);
    assertThat(msgs).hasSize(5);
    assertThat(msgs.get(4).type()).isEqualTo(RtMessages.NLMSG_DONE);
    List<RtMessages.Address> a = msgs.subList(0, 4).stream().map(RtMessages::address).toList();
    assertThat(a).extracting(RtMessages.Address::permanentGlobal).containsExactly(true, false, true, false);
    assertThat(a.get(0).attributes().keySet()).containsExactly(RtMessages.IFA_ADDRESS, RtMessages.IFA_LOCAL);
    assertThat(a.get(0).prefixLength()).isEqualTo(32);
    assertThat(a.get(0).index()).isEqualTo(3);

    // added again on another index with the same attributes (the label is left to the kernel)
    byte[] add = RtMessages.addAddress(2, 11, a.get(0));
    RtMessages.Message back = RtMessages.parse(add).getFirst();
    RtMessages.Address again = RtMessages.address(back);
    assertThat(again.index()).isEqualTo(11);
    assertThat(again.attributes().get(RtMessages.IFA_LOCAL)).containsExactly(169, 254, 169, 77);
    assertThat(back.flags() & (RtMessages.NLM_F_CREATE | RtMessages.NLM_F_EXCL)).isEqualTo(0x600);
  }

  @Test
  void anErrorMessageCarriesTheErrnoAndAnAckCarriesZero() {
    // struct nlmsgerr: s32 error, then the request's header
    ByteBuffer b = le(new byte[16 + 20]);
    b.putInt(0, 36).putShort(4, (short) RtMessages.NLMSG_ERROR).putInt(16, -19);
    assertThat(RtMessages.error(RtMessages.parse(b.array()).getFirst())).isEqualTo(19);
    b.putInt(16, 0);
    assertThat(RtMessages.error(RtMessages.parse(b.array()).getFirst())).isZero();
  }

  @Test
  void aTruncatedDatagramStopsParsingInsteadOfReadingPastIt() {
    byte[] m = RtMessages.getLink(1, "eth0");
    le(m).putInt(0, 4000); // claims more than there is
    assertThat(RtMessages.parse(m)).isEmpty();
    assertThat(RtMessages.parse(new byte[3])).isEmpty();
  }
}
