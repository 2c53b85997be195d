package io.jrunc.core.network;

import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.LinuxNetDevice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code linux.netDevices}: moves existing interfaces from the runtime's network namespace into
 * the container's, as config-linux.md ("Network Devices", runtime-spec 1.3) says:
 *
 * <ol>
 *   <li>look the interface up by name, and note its permanent addresses of global scope
 *       (IFA_F_PERMANENT, RT_SCOPE_UNIVERSE): the kernel drops every address on a move;</li>
 *   <li>move it with one RTM_NEWLINK carrying IFLA_NET_NS_FD and, when renamed, IFLA_IFNAME
 *       (the kernel refuses a name already taken there with EEXIST, or fills in a
 *       {@code %d} template);</li>
 *   <li>in the container's namespace: add those addresses again and set the link up.</li>
 * </ol>
 *
 * MTU, MAC address and the other link attributes travel with the device. Nothing is moved
 * back on delete: the spec leaves the interface to the namespace's owner, and the kernel
 * returns physical devices (and destroys virtual ones) when the namespace goes away.
 */
public final class NetDevices {
  private NetDevices() {}

  /** What was moved: host name, name inside, index inside, addresses restored. */
  public record Moved(String hostName, String name, int index, int addresses) {}

  /**
   * Moves every device of {@code devices} into the namespace {@code netnsFd} refers to. Stops
   * at the first failure with an error naming the device, the step and the errno.
   */
  public static List<Moved> move(Map<String, LinuxNetDevice> devices, int netnsFd) throws SysException {
    List<Moved> moved = new ArrayList<>();
    if (devices == null || devices.isEmpty()) return moved;
    try (RtSocket host = RtSocket.here(); RtSocket ctr = RtSocket.in(netnsFd)) {
      for (var e : devices.entrySet()) {
        moved.add(moveOne(host, ctr, e.getKey(), e.getValue(), netnsFd));
      }
    }
    return moved;
  }

  private static Moved moveOne(RtSocket host, RtSocket ctr, String hostName, LinuxNetDevice dev, int netnsFd)
      throws SysException {
    String what = "netDevices: " + hostName;
    RtMessages.Link link;
    try {
      link = RtMessages.link(host.exchange(RtMessages.getLink(host.nextSeq(), hostName), "look up").getFirst());
    } catch (SysException x) {
      throw new SysException(what + ": look up the interface", "in the runtime's network namespace", x.errno());
    }
    List<RtMessages.Address> keep = new ArrayList<>();
    for (RtMessages.Message m : host.exchange(RtMessages.dumpAddresses(host.nextSeq()), what + ": list addresses")) {
      if (m.type() != RtMessages.RTM_NEWADDR) continue;
      RtMessages.Address a = RtMessages.address(m);
      if (a.index() == link.index() && a.permanentGlobal()) keep.add(a);
    }
    String wanted = dev == null || dev.name() == null || dev.name().isEmpty() ? hostName : dev.name();
    boolean template = wanted.contains("%d");
    Set<Integer> before = template ? linkIndexes(ctr, what) : Set.of();
    // Checked first, not left to the move: since Linux 6.x a move whose new name is taken
    // lands the device in the target under its old name and only then fails with EEXIST.
    if (!template && exists(ctr, wanted, what)) throw moveFailed(what, wanted, Errno.EEXIST);
    try {
      host.exchange(RtMessages.moveLink(host.nextSeq(), link.index(), netnsFd,
          wanted.equals(hostName) ? null : wanted), "move");
    } catch (SysException x) {
      throw moveFailed(what, wanted, x.errno());
    }
    RtMessages.Link inside = find(ctr, wanted, template, before, what);
    for (RtMessages.Address a : keep) {
      try {
        ctr.exchange(RtMessages.addAddress(ctr.nextSeq(), inside.index(), a), "add address");
      } catch (SysException x) {
        if (x.errno() != Errno.EEXIST) {
          throw new SysException(what + ": restore an address on \"" + inside.name() + "\"", null, x.errno());
        }
      }
    }
    try {
      ctr.exchange(RtMessages.setUp(ctr.nextSeq(), inside.index()), "set up");
    } catch (SysException x) {
      throw new SysException(what + ": set \"" + inside.name() + "\" up", null, x.errno());
    }
    return new Moved(hostName, inside.name(), inside.index(), keep.size());
  }

  private static SysException moveFailed(String what, String wanted, int errno) {
    String why = errno == Errno.EEXIST ? " (an interface named \"" + wanted + "\" exists there)" : "";
    return new SysException(what + ": move the interface into the container's network namespace as \"" + wanted
        + "\"" + why, null, errno);
  }

  private static boolean exists(RtSocket s, String name, String what) throws SysException {
    try {
      s.exchange(RtMessages.getLink(s.nextSeq(), name), "look up");
      return true;
    } catch (SysException x) {
      if (x.errno() == Errno.ENODEV) return false;
      throw new SysException(what + ": look up \"" + name + "\"", "in the container's network namespace", x.errno());
    }
  }

  private static Set<Integer> linkIndexes(RtSocket s, String what) throws SysException {
    Set<Integer> out = new HashSet<>();
    for (RtMessages.Message m : s.exchange(RtMessages.dumpLinks(s.nextSeq()), what + ": list interfaces")) {
      if (m.type() == RtMessages.RTM_NEWLINK) out.add(RtMessages.link(m).index());
    }
    return out;
  }

  /** The moved link inside: by name, or for a {@code %d} template the one index that is new. */
  private static RtMessages.Link find(RtSocket ctr, String wanted, boolean template, Set<Integer> before, String what)
      throws SysException {
    if (!template) {
      return RtMessages.link(ctr.exchange(RtMessages.getLink(ctr.nextSeq(), wanted), what + ": look up \"" + wanted
          + "\"").getFirst());
    }
    for (RtMessages.Message m : ctr.exchange(RtMessages.dumpLinks(ctr.nextSeq()), what + ": list interfaces")) {
      if (m.type() != RtMessages.RTM_NEWLINK) continue;
      RtMessages.Link l = RtMessages.link(m);
      if (!before.contains(l.index())) return l;
    }
    throw new SysException(what + ": find the moved interface (template \"" + wanted + "\")", null, Errno.ENODEV);
  }
}
