package io.jrunc.core.security;

import com.fasterxml.jackson.databind.JsonNode;
import io.jrunc.spec.Json;
import io.jrunc.spec.LinuxSeccomp;
import io.jrunc.spec.LinuxSeccompArg;
import io.jrunc.spec.LinuxSyscall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * podman's default profile (Debian package golang-github-containers-common), read at test time
 * and turned into the OCI form the way podman does for an amd64 container with podman's
 * default capabilities: entries whose {@code includes} ask for another arch or a capability
 * outside the defaults are dropped, and so are those whose {@code excludes} match.
 */
final class PodmanProfile {
  static final Path FILE = Path.of("/usr/share/containers/seccomp.json");
  static final Set<String> DEFAULT_CAPS = Set.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
      "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT");

  private PodmanProfile() {}

  static boolean present() {
    return Files.isReadable(FILE);
  }

  static LinuxSeccomp load() throws Exception {
    JsonNode root = Json.readTree(Files.readAllBytes(FILE));
    List<String> archs = new ArrayList<>();
    for (JsonNode m : root.path("archMap")) {
      if (m.path("architecture").asText().equals("SCMP_ARCH_X86_64")) {
        archs.add("SCMP_ARCH_X86_64");
        for (JsonNode s : m.path("subArchitectures")) archs.add(s.asText());
      }
    }
    List<LinuxSyscall> calls = new ArrayList<>();
    for (JsonNode c : root.path("syscalls")) {
      if (!applies(c)) continue;
      List<String> names = new ArrayList<>();
      c.path("names").forEach(n -> names.add(n.asText()));
      List<LinuxSeccompArg> args = new ArrayList<>();
      for (JsonNode a : c.path("args")) {
        args.add(new LinuxSeccompArg(a.path("index").asLong(), a.path("value").asLong(),
            a.path("valueTwo").asLong(), a.path("op").asText()));
      }
      Long errnoRet = c.hasNonNull("errnoRet") ? c.get("errnoRet").asLong() : null;
      calls.add(new LinuxSyscall(names, c.path("action").asText(), errnoRet, args));
    }
    Long defErrno = root.hasNonNull("defaultErrnoRet") ? root.get("defaultErrnoRet").asLong() : null;
    return new LinuxSeccomp(root.path("defaultAction").asText(), defErrno, archs, null, null, null, calls);
  }

  private static boolean applies(JsonNode c) {
    JsonNode inc = c.path("includes"), exc = c.path("excludes");
    if (inc.has("arches") && !contains(inc.get("arches"), "amd64")) return false;
    if (exc.has("arches") && contains(exc.get("arches"), "amd64")) return false;
    for (JsonNode cap : inc.path("caps")) if (!DEFAULT_CAPS.contains(cap.asText())) return false;
    for (JsonNode cap : exc.path("caps")) if (DEFAULT_CAPS.contains(cap.asText())) return false;
    if (inc.has("minKernel") || exc.has("minKernel")) return true; // 6.18 is newer than any
    return true;
  }

  private static boolean contains(JsonNode arr, String v) {
    for (JsonNode n : arr) if (n.asText().equals(v)) return true;
    return false;
  }
}
