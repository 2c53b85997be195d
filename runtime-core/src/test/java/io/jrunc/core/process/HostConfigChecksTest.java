package io.jrunc.core.process;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;
import org.junit.jupiter.api.Test;

/** The config rules that depend on the host, made by create's planner before anything exists. */
class HostConfigChecksTest {
  private static Spec spec(String netns) throws java.io.IOException {
    return Json.read(("""
        {"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "process": {"args": ["sh"], "cwd": "/"},
         "linux": {"namespaces": [{"type": "mount"}, %s], "sysctl": {"net.ipv4.ip_forward": "1", "kernel.msgmax": "1"}}}
        """).formatted(netns).getBytes(), Spec.class);
  }

  @Test
  void netSysctlInTheRuntimesOwnNetworkNamespaceIsRefused() throws Exception {
    Spec s = spec("{\"type\": \"network\", \"path\": \"/proc/self/ns/net\"}");
    assertThatThrownBy(() -> ParentSetup.checkSysctlNetns(s.linux(), Namespaces.of(s)))
        .isInstanceOf(InvalidConfigFailure.class)
        .hasMessage("config.json: /linux/sysctl/net.ipv4.ip_forward: sysctl \"net.ipv4.ip_forward\" is not allowed in"
            + " the host's network namespace (/proc/self/ns/net is the runtime's own)");
  }

  @Test
  void netSysctlInANewNetworkNamespaceIsFine() throws Exception {
    Spec s = spec("{\"type\": \"network\"}");
    assertThatCode(() -> ParentSetup.checkSysctlNetns(s.linux(), Namespaces.of(s))).doesNotThrowAnyException();
  }
}
