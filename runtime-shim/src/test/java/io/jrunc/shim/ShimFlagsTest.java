package io.jrunc.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.spec.Spec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShimFlagsTest {

  @Test
  void parsesContainerdsStartCommandLine() {
    // as containerd 1.6 runs it (runtime/v2/shim/util.go Command)
    ShimFlags f = ShimFlags.parse(new String[] {"-namespace", "k8s.io", "-address", "/run/containerd/containerd.sock",
        "-publish-binary", "/usr/bin/containerd", "-id", "abc", "start"});
    assertThat(f.namespace()).isEqualTo("k8s.io");
    assertThat(f.address()).isEqualTo("/run/containerd/containerd.sock");
    assertThat(f.publishBinary()).isEqualTo("/usr/bin/containerd");
    assertThat(f.id()).isEqualTo("abc");
    assertThat(f.action()).isEqualTo("start");
    assertThat(f.debug()).isFalse();
  }

  @Test
  void acceptsGoFlagFormsAndUnknownFlags() {
    ShimFlags f = ShimFlags.parse(new String[] {"--namespace=ns", "-debug", "-id=x", "-bundle", "/b",
        "-some-new-flag", "v", "delete"});
    assertThat(f.namespace()).isEqualTo("ns");
    assertThat(f.id()).isEqualTo("x");
    assertThat(f.bundle()).isEqualTo("/b");
    assertThat(f.bundleOrCwd()).isEqualTo("/b");
    assertThat(f.debug()).isTrue();
    assertThat(f.action()).isEqualTo("delete");
  }

  @Test
  void aFlagWithoutItsValueIsAnError() {
    assertThatThrownBy(() -> ShimFlags.parse(new String[] {"-namespace"}))
        .hasMessage("flag needs an argument: -namespace");
  }

  @Test
  void groupsByPodAnnotationByNamespaceOrAlone() {
    Spec pod = new Spec(null, null, null, null, null, null, null,
        Map.of(ShimStart.SANDBOX_ANNOTATION, "sandbox1"), null);
    assertThat(ShimStart.group(null, "ns", "c1", pod)).isEqualTo("sandbox1");
    assertThat(ShimStart.group("pod", "ns", "c1", null)).isEqualTo("c1");
    assertThat(ShimStart.group("namespace", "ns", "c1", pod)).isEqualTo("namespace:ns");
    assertThat(ShimStart.group("container", "ns", "c1", pod)).isEqualTo("c1");
    assertThatThrownBy(() -> ShimStart.group("node", "ns", "c1", null))
        .hasMessageContaining("JRUNC_SHIM_GROUP=node: unknown grouping");
  }

  @Test
  void socketIsUnderTheShimDirectoryAndDependsOnAddressNamespaceAndGroup() {
    String a = ShimPaths.socket("/run/containerd/containerd.sock", "default", "g").toString();
    assertThat(a).startsWith("/run/containerd/s/").hasSize("/run/containerd/s/".length() + 64);
    assertThat(ShimPaths.socket("/other.sock", "default", "g").toString()).isNotEqualTo(a);
    assertThat(ShimPaths.socket("/run/containerd/containerd.sock", "k8s.io", "g").toString()).isNotEqualTo(a);
  }
}
