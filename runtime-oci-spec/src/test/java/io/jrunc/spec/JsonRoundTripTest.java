package io.jrunc.spec;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonRoundTripTest {

    static byte[] resource(String name) throws Exception {
        try (InputStream in = JsonRoundTripTest.class.getResourceAsStream("/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** read -> write -> read gives equal records; the written tree equals the input minus unknown fields. */
    @ParameterizedTest
    @ValueSource(strings = {"runc-spec.json", "runc-spec-rootless.json", "crun-spec.json", "podman-default.json", "podman-rich.json", "containerd-default.json", "containerd-rich.json"})
    void realConfigsRoundTrip(String name) throws Exception {
        byte[] input = resource(name);
        Spec spec = Json.read(input, Spec.class);
        String written = Json.write(spec);
        assertThat(Json.read(written, Spec.class)).isEqualTo(spec);
        JsonNode expected = KnownFields.prune(Json.readTree(input), Spec.class);
        assertThat(Json.readTree(written.getBytes())).isEqualTo(expected);
        assertThat(Json.readTree(Json.writePretty(spec).getBytes())).isEqualTo(expected);
    }

    /** Our pretty printer reproduces Go's json.MarshalIndent byte for byte. */
    @Test
    void prettyOutputIsByteIdenticalToRunc() throws Exception {
        for (String name : List.of("runc-spec.json", "runc-spec-rootless.json")) {
            String original = new String(resource(name), StandardCharsets.UTF_8);
            assertThat(Json.writePretty(Json.read(original, Spec.class))).as(name).isEqualTo(original);
        }
        for (String name : List.of("runc-state-created.json", "runc-state-stopped.json")) {
            String original = new String(resource(name), StandardCharsets.UTF_8);
            assertThat(Json.writeIndented(Json.read(original, State.class), "  ")).as(name).isEqualTo(original);
        }
        String features = new String(resource("runc-features.json"), StandardCharsets.UTF_8);
        assertThat(Json.writeIndented(Json.read(features, Features.class), "    ") + "\n").isEqualTo(features);
    }

    @Test
    void goStyleEscapingAndEmptyContainers() throws Exception {
        Spec spec = Json.read("{\"ociVersion\":\"1.3.0\",\"hostname\":\"a<b>&c\\u2028\",\"mounts\":[],\"annotations\":{}}", Spec.class);
        assertThat(Json.write(spec)).isEqualTo("{\"ociVersion\":\"1.3.0\",\"hostname\":\"a\\u003cb\\u003e\\u0026c\\u2028\",\"mounts\":[],\"annotations\":{}}");
        assertThat(Json.writePretty(spec)).isEqualTo("{\n\t\"ociVersion\": \"1.3.0\",\n\t\"hostname\": \"a\\u003cb\\u003e\\u0026c\\u2028\",\n\t\"mounts\": [],\n\t\"annotations\": {}\n}");
        assertThat(Json.read(Json.write(spec), Spec.class)).isEqualTo(spec);
    }

    @Test
    void podmanConfigExercisesSeccompAndUserns() throws Exception {
        Spec spec = Json.read(resource("podman-rich.json"), Spec.class);
        assertThat(spec.linux().seccomp().syscalls()).isNotEmpty();
        assertThat(spec.linux().uidMappings()).singleElement().extracting(LinuxIDMapping::hostID).isEqualTo(100000L);
        assertThat(spec.process().user().additionalGids()).containsExactly(1000L, 10L);
        assertThat(spec.linux().devices().getFirst().fileMode()).isEqualTo(8630L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc-state-created.json", "runc-state-running.json", "runc-state-stopped.json"})
    void runcStateRoundTrips(String name) throws Exception {
        byte[] input = resource(name);
        State state = Json.read(input, State.class);
        assertThat(state.id()).isEqualTo("jrunc-spec-state-test");
        assertThat(state.created()).isNotBlank();
        assertThat(Json.readTree(Json.writeBytes(state))).isEqualTo(KnownFields.prune(Json.readTree(input), State.class));
    }

    @Test
    void runcFeaturesRoundTrips() throws Exception {
        byte[] input = resource("runc-features.json");
        Features f = Json.read(input, Features.class);
        assertThat(f.linux().capabilities()).contains("CAP_CHOWN");
        assertThat(f.linux().seccomp().enabled()).isTrue();
        assertThat(Json.read(Json.write(f), Features.class)).isEqualTo(f);
        assertThat(Json.readTree(Json.writeBytes(f))).isEqualTo(KnownFields.prune(Json.readTree(input), Features.class));
    }

    @Test
    void unknownFieldsIgnoredNullsOmitted() throws Exception {
        Spec spec = Json.read("{\"ociVersion\":\"1.3.0\",\"future\":{\"x\":1},\"root\":{\"path\":\"rootfs\"}}", Spec.class);
        assertThat(spec.root().path()).isEqualTo("rootfs");
        assertThat(Json.write(spec)).isEqualTo("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"}}");
    }

    @Test
    void keywordFieldsAndUnsigned64() throws Exception {
        String json = "{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":4}";
        LinuxIOPriority p = Json.read(json, LinuxIOPriority.class);
        assertThat(p.ioClass()).isEqualTo("IOPRIO_CLASS_BE");
        assertThat(Json.write(p)).isEqualTo(json);

        CPUAffinity a = Json.read("{\"initial\":\"0-3\",\"final\":\"7\"}", CPUAffinity.class);
        assertThat(a.finalCpus()).isEqualTo("7");

        String rl = "{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551615,\"soft\":1024}";
        POSIXRlimit r = Json.read(rl, POSIXRlimit.class);
        assertThat(r.hard()).isEqualTo(-1L);
        assertThat(Json.write(r)).isEqualTo(rl);
        assertThatThrownBy(() -> Json.read("{\"type\":\"RLIMIT_NOFILE\",\"hard\":-1,\"soft\":1}", POSIXRlimit.class))
                .hasMessageContaining("unsigned");
        assertThatThrownBy(() -> Json.read("{\"type\":\"RLIMIT_NOFILE\",\"hard\":18446744073709551616,\"soft\":1}", POSIXRlimit.class))
                .hasMessageContaining("unsigned");
    }

    @Test
    void featuresKeepNullDistinctFromFalse() {
        Features f = new Features("1.0.0", "1.3.0", List.of("prestart"), null,
                new Features.Linux(null, null, new Features.Cgroup(true, false, null, null, null),
                        null, null, null, null, null, null, null), null, null);
        JsonNode tree = Json.toTree(f);
        assertThat(tree.has("mountOptions")).isFalse();
        assertThat(tree.at("/linux/cgroup/v2").asBoolean(true)).isFalse();
        assertThat(tree.at("/linux/cgroup").has("systemd")).isFalse();
    }
}
