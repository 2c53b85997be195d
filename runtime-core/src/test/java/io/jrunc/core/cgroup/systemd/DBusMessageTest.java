package io.jrunc.core.cgroup.systemd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DBusMessageTest {
  @Test
  void helloHasTheWellKnownHeader() {
    byte[] m = DBusMessage.methodCall(1, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello", "", new byte[0]);
    ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(m[0]).isEqualTo((byte) 'l');
    assertThat(m[1]).isEqualTo((byte) 1);
    assertThat(m[3]).isEqualTo((byte) 1);
    assertThat(b.getInt(4)).isZero();
    assertThat(b.getInt(8)).isEqualTo(1);
    assertThat(b.getInt(12)).isEqualTo(109); // PATH 30+2 pad, INTERFACE 29+3, MEMBER 14+2, DESTINATION 29
    assertThat(m.length).isEqualTo(128); // 16 + 109, padded to 8
    assertThat(DBusMessage.totalLength(m)).isEqualTo(m.length);
    DBusMessage p = DBusMessage.parse(m);
    assertThat(p.path).isEqualTo("/org/freedesktop/DBus");
    assertThat(p.member).isEqualTo("Hello");
    assertThat(p.destination).isEqualTo("org.freedesktop.DBus");
    assertThat(p.serial).isEqualTo(1);
  }

  @Test
  void startTransientUnitBodyLayout() {
    byte[] body = SystemdManager.startBody("jrunc-c1.scope", "system.slice", 4242);
    ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(0)).isEqualTo(14); // "jrunc-c1.scope"
    int p = 4 + 15;
    p = (p + 3) & ~3; // "replace"
    assertThat(b.getInt(p)).isEqualTo(7);
    p += 4 + 8;
    p = (p + 3) & ~3;
    int arrayLen = b.getInt(p);
    int first = (p + 4 + 7) & ~7;
    // struct ("Slice", v "s" "system.slice"): 4+6 name, 3 sig, pad, 4+13 value
    assertThat(b.getInt(first)).isEqualTo(5);
    assertThat(new String(body, first + 4, 5)).isEqualTo("Slice");
    assertThat(body[first + 10]).isEqualTo((byte) 1);
    assertThat(body[first + 11]).isEqualTo((byte) 's');
    int pidAt = first + arrayLen - 4;
    assertThat(b.getInt(pidAt - 16 + 16 - 0 - 4 + 4 - 4 + 4)).isEqualTo(4242);
    // the aux array a(sa(sv)) is empty: length 0 after the props
    int auxLenAt = (first + arrayLen + 3) & ~3;
    assertThat(b.getInt(auxLenAt)).isZero();
    assertThat(body.length).isEqualTo(auxLenAt + 4 + ((auxLenAt + 4) % 8 == 0 ? 0 : 4));
  }

  @Test
  void errorRepliesCarryNameAndText() {
    DBusWriter w = new DBusWriter();
    w.byte_('l').byte_(3).byte_(1).byte_(1);
    w.u32(0);
    w.u32(7);
    int[] f = w.beginArray(8);
    w.struct().byte_(4).signature("s").string("org.freedesktop.systemd1.NoSuchUnit");
    w.struct().byte_(5).signature("u").u32(3);
    w.struct().byte_(8).signature("g").signature("s");
    w.endArray(f);
    w.align(8);
    int bodyStart = w.position();
    w.string("Unit x.scope not loaded.");
    byte[] m = w.toByteArray();
    ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(4, m.length - bodyStart);
    DBusMessage p = DBusMessage.parse(m);
    assertThat(p.type).isEqualTo(DBusMessage.ERROR);
    assertThat(p.replySerial).isEqualTo(3);
    assertThat(p.errorName).isEqualTo("org.freedesktop.systemd1.NoSuchUnit");
    assertThat(p.firstString()).isEqualTo("Unit x.scope not loaded.");
  }

  @Test
  void unitNamesAndSlicePaths() throws Exception {
    SystemdManager.Unit u = SystemdManager.parse("machine-pods.slice:crio:abc", "id", false);
    assertThat(u.unitName()).isEqualTo("crio-abc.scope");
    assertThat(u.slicePath()).isEqualTo("machine.slice/machine-pods.slice");
    assertThat(SystemdManager.parse(null, "c1", false)).isEqualTo(new SystemdManager.Unit("system.slice", "jrunc", "c1"));
    assertThat(SystemdManager.parse(":p:n", "c1", true).slice()).isEqualTo("user.slice");
    assertThatThrownBy(() -> SystemdManager.parse("/a/b", "c1", false)).hasMessageContaining("is not slice:prefix:name");
    assertThatThrownBy(() -> SystemdManager.parse("x:p:n", "c1", false)).hasMessageContaining("must be a unit name ending in .slice");
  }
}
