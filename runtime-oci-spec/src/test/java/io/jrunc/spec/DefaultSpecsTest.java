package io.jrunc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compares the templates with {@code runc spec} / {@code runc spec --rootless} output captured
 * from runc 1.1.5 (as root, cgroup v1 host, hence no cgroup namespace). The captured tree is
 * adjusted by exactly the changes upstream runc has made since (see {@link DefaultSpecs}).
 */
class DefaultSpecsTest {

    /** runc 1.1.5 -> current upstream runc, plus our ociVersion. */
    static JsonNode upstream(String resource) throws Exception {
        ObjectNode tree = (ObjectNode) Json.readTree(JsonRoundTripTest.resource(resource));
        assertThat(tree.get("ociVersion").asText()).isEqualTo("1.0.2-dev");
        tree.put("ociVersion", "1.3.0");
        ObjectNode caps = (ObjectNode) tree.at("/process/capabilities");
        assertThat(caps.remove("ambient")).isNotNull();
        ((ArrayNode) tree.at("/linux/maskedPaths")).add("/sys/devices/virtual/tpm");
        return tree;
    }

    @Test
    void runcDefaultMatchesRuncSpec() throws Exception {
        assertThat(Json.readTree(Json.writeBytes(DefaultSpecs.runcDefault(false)))).isEqualTo(upstream("runc-spec.json"));
    }

    @Test
    void rootlessMatchesRuncSpecRootless() throws Exception {
        // Captured as root: euid/egid 0.
        assertThat(Json.readTree(Json.writeBytes(DefaultSpecs.rootless(0, 0)))).isEqualTo(upstream("runc-spec-rootless.json"));
    }

    @Test
    void rootlessMapsTheCallersIds() {
        long[] ids = DefaultSpecs.effectiveIds();
        Spec spec = DefaultSpecs.rootless();
        assertThat(spec.linux().uidMappings()).containsExactly(new LinuxIDMapping(0L, ids[0], 1L));
        assertThat(spec.linux().gidMappings()).containsExactly(new LinuxIDMapping(0L, ids[1], 1L));
        assertThat(spec.linux().namespaces()).extracting(LinuxNamespace::type).doesNotContain("network").endsWith("user");
        assertThat(spec.linux().resources()).isNull();
    }

    @Test
    void cgroupNamespaceOnlyOnUnifiedHosts() {
        assertThat(DefaultSpecs.runcDefault(true).linux().namespaces()).extracting(LinuxNamespace::type).endsWith("cgroup");
        assertThat(DefaultSpecs.runcDefault(false).linux().namespaces()).extracting(LinuxNamespace::type).doesNotContain("cgroup");
    }

    @Test
    void prettyOutputIsStable() {
        String a = Json.writePretty(DefaultSpecs.runcDefault(false));
        assertThat(a).isEqualTo(Json.writePretty(DefaultSpecs.runcDefault(false)));
        assertThat(a).startsWith("{\n\t\"ociVersion\": \"1.3.0\",\n\t\"process\": {").endsWith("\n}");
    }
}
