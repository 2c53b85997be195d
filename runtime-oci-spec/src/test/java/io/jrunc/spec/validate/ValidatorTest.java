package io.jrunc.spec.validate;

import io.jrunc.spec.DefaultSpecs;
import io.jrunc.spec.InvalidSpecException;
import io.jrunc.spec.Json;
import io.jrunc.spec.Linux;
import io.jrunc.spec.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValidatorTest {

    static byte[] resource(String name) throws Exception {
        try (InputStream in = ValidatorTest.class.getResourceAsStream("/" + name)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"runc-spec.json", "runc-spec-rootless.json", "crun-spec.json", "podman-default.json", "podman-rich.json", "containerd-default.json", "containerd-rich.json"})
    void realWorldConfigsAreValid(String name) throws Exception {
        ValidationReport r = Validator.validate(resource(name), ValidationOptions.full());
        assertThat(r.format()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.spec()).isNotNull();
    }

    @Test
    void templatesAreValid() {
        for (Spec s : new Spec[]{DefaultSpecs.runcDefault(false), DefaultSpecs.runcDefault(true), DefaultSpecs.rootless(1000, 1000)}) {
            ValidationReport r = Validator.validate(Json.writeBytes(s), ValidationOptions.full());
            assertThat(r.format()).isEmpty();
            assertThat(Validator.semantic(s)).isEmpty();
        }
    }

    @Test
    void reportsAllProblemsAtOnceInDocumentOrder() {
        String json = """
                {"ociVersion": "1.3.0", "root": {"path": "rootfs"},
                 "process": {"user": {"uid": 0, "gid": 0}, "args": [], "cwd": "rel",
                   "capabilities": {"bounding": ["CAP_A", "CAP_CHOWN", "CAP_B"]}},
                 "linux": {"namespaces": [{"type": "pid"}, {"type": "pid"}]}}
                """;
        ValidationReport r = Validator.validate(json.getBytes(), ValidationOptions.full());
        assertThat(r.format()).isEqualTo("""
                config.json: /linux/namespaces/1/type: duplicate namespace type "pid"
                config.json: /process/args: must have at least one entry
                config.json: /process/cwd: must be an absolute path, got "rel\"""");
        assertThatThrownBy(r::orThrow)
                .isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("\n")
                .satisfies(e -> assertThat(((InvalidSpecException) e).problems()).hasSize(3));
        assertThat(r.warnings()).extracting(Problem::jsonPointer)
                .containsExactly("/process/capabilities/bounding/0", "/process/capabilities/bounding/2");
    }

    /**
     * config.md (runtime-spec 1.1 on): a capability the runtime cannot map MUST be logged as a
     * warning, and the runtime SHOULD NOT fail; runc and crun run such a container (crun's suite,
     * "unknown-caps"; a lower-case or CAP_-less name is unknown to both). Neither the schema nor
     * the semantic checks reject it: a warning each (these were invalid/unknown-capability.json and
     * invalid/lowercase-capability.json).
     */
    @Test
    void unknownCapabilitiesAreWarningsNotErrors() {
        String json = """
                {"ociVersion": "1.0.0", "root": {"path": "rootfs"},
                 "process": {"user": {"uid": 0, "gid": 0}, "args": ["/init"], "cwd": "/",
                   "capabilities": {"bounding": ["CAP_UNKNOWN", "CAP_KILL"], "ambient": ["UNKNOWN_CAP"], "effective": ["chown"]}}}
                """;
        ValidationReport r = Validator.validate(json.getBytes(), ValidationOptions.full());
        assertThat(r.format()).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.warnings()).extracting(w -> w.format("config.json")).containsExactly(
                "config.json: /process/capabilities/ambient/0: unknown capability \"UNKNOWN_CAP\" (ignored)",
                "config.json: /process/capabilities/bounding/0: unknown capability \"CAP_UNKNOWN\" (ignored)",
                "config.json: /process/capabilities/effective/0: unknown capability \"chown\" (ignored)");
        assertThat(Validator.validate(json.getBytes(), ValidationOptions.forCreate()).ok()).isTrue();
    }

    /**
     * runc takes a user without uid or gid as 0 (Go's zero value; its capabilities.bats relies on
     * it): create warns and goes on (this was invalid/missing-gid.json); the schema still names
     * it required in a full validation.
     */
    @Test
    void aUserWithoutGidIsRootsGroupWithAWarning() {
        String json = """
                {"ociVersion": "1.0.0", "root": {"path": "rootfs"},
                 "process": {"user": {"uid": 0}, "args": ["/init"], "cwd": "/"}}
                """;
        // create's checks (the schema, which requires it, is for `validate`'s full report)
        ValidationReport r = Validator.validate(json.getBytes(), ValidationOptions.forCreate());
        assertThat(r.ok()).as(r.format()).isTrue();
        assertThat(r.warnings()).extracting(w -> w.format("config.json"))
                .containsExactly("config.json: /process/user/gid: missing: 0 is used, as runc does");
    }

    /**
     * Older configs carry device cgroup access "rwa": runc accepts them and ignores the letter,
     * so the validator (schema and semantic checks) passes them on; the cgroup code warns.
     */
    @Test
    void deviceAccessWithLettersBeyondRwmIsAccepted() throws Exception {
        for (boolean schema : new boolean[]{true, false}) {
            ValidationReport r = Validator.validate(resource("device-access-rwa.json"), ValidationOptions.full().withSchema(schema));
            assertThat(r.format()).as("schema " + schema).isEmpty();
            assertThat(r.spec().linux().resources().devices().getFirst().access()).isEqualTo("rwa");
        }
    }

    @Test
    void processOptionalUnlessRequired() {
        String json = "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}}";
        assertThat(Validator.validate(json.getBytes(), ValidationOptions.full()).format())
                .isEqualTo("config.json: /process: is required");
        assertThat(Validator.validate(json.getBytes(), ValidationOptions.full().withRequireProcess(false)).ok()).isTrue();
    }

    @Test
    void systemdCgroupsPathOnlyCheckedWhenSystemdIsOn() throws Exception {
        Spec base = DefaultSpecs.runcDefault(false);
        Linux l = base.linux();
        Spec spec = new Spec(base.ociVersion(), base.process(), base.root(), base.hostname(), null, base.mounts(), null, null,
                new Linux(null, null, null, l.resources(), "/my/cgroup", l.namespaces(), null, null, null, null,
                        l.maskedPaths(), l.readonlyPaths(), null, null, null, null, null));
        ValidationOptions systemd = ValidationOptions.forCreate().withSystemdCgroup(true);
        assertThat(Validator.semantic(spec)).isEmpty();
        assertThat(Validator.semantic(spec, systemd)).singleElement().hasToString(
                "config.json: /linux/cgroupsPath: expected \"slice:prefix:name\" for systemd cgroups, got \"/my/cgroup\"");
        Spec ok = Json.read(Json.write(spec).replace("/my/cgroup", "system.slice:jrunc:abc"), Spec.class);
        assertThat(Validator.semantic(ok, systemd)).isEmpty();
        Spec badSlice = Json.read(Json.write(spec).replace("/my/cgroup", "system:jrunc:abc"), Spec.class);
        assertThat(Validator.semantic(badSlice, systemd)).singleElement().asString().contains("invalid slice \"system\"");
    }

    @Test
    void warningsDoNotFail() {
        String json = """
                {"ociVersion": "1.3.0", "root": {"path": "rootfs"},
                 "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/", "consoleSize": {"height": 1, "width": 2}},
                 "mounts": [{"destination": "proc", "type": "proc", "source": "proc"}]}
                """;
        ValidationReport r = Validator.validate(json.getBytes(), ValidationOptions.full());
        assertThat(r.ok()).isTrue();
        assertThat(r.warnings()).extracting(Problem::jsonPointer).containsExactly("/mounts/0/destination", "/process/consoleSize");
    }

    @Test
    void processDocumentForExec() {
        String ok = "{\"terminal\": false, \"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"ls\"], \"cwd\": \"/\"}";
        assertThat(Validator.requireValidProcess(ok.getBytes(), ValidationOptions.forCreate().withFileName("process.json")).args())
                .containsExactly("ls");
        String bad = "{\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [], \"cwd\": \"tmp\", \"capabilities\": {\"ambient\": [\"CAP_NOPE\"]}}";
        ValidationReport r = Validator.validateProcess(bad.getBytes(), ValidationOptions.forCreate().withFileName("process.json"));
        assertThat(r.format()).isEqualTo("""
                process.json: /args: must have at least one entry
                process.json: /cwd: must be an absolute path, got "tmp\"""");
        assertThat(r.warnings()).extracting(w -> w.format("process.json"))
                .containsExactly("process.json: /capabilities/ambient/0: unknown capability \"CAP_NOPE\" (ignored)");
        assertThatThrownBy(() -> Validator.requireValidProcess("{\"args\": 1}".getBytes(), ValidationOptions.forCreate()))
                .hasMessage("config.json: /args: must be an array, got integer 1");
    }

    @Test
    void listFormat() {
        assertThat(SemanticChecks.listFormatProblem("0-3,7")).isNull();
        assertThat(SemanticChecks.listFormatProblem("5")).isNull();
        assertThat(SemanticChecks.listFormatProblem("1,,2")).isNotNull();
        assertThat(SemanticChecks.listFormatProblem("a")).isNotNull();
        assertThat(SemanticChecks.listFormatProblem("4-2")).contains("start is after end");
    }
    /**
     * A JSON null where config.md wants a string, in a map or a list the codec keeps nulls in:
     * refused naming it, with and without the schema. (Not in resources/invalid: the golden
     * codec files there compare with jackson's writer, which drops a map's null values.)
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "\"annotations\": {\"org.example.a\": null} | /annotations/org.example.a: must be a string, not null",
            "\"linux\": {\"resources\": {\"unified\": {\"cpu.max\": null}}} | /linux/resources/unified/cpu.max: must be a string, not null",
            "\"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", \"args\": [\"true\", null]}]} | /hooks/prestart/0/args/1: must be a string, not null",
            "\"hooks\": {\"poststop\": [{\"path\": \"/bin/true\", \"env\": [null]}]} | /hooks/poststop/0/env/0: must be a string, not null",
            "\"hooks\": {\"poststop\": [{\"path\": \"/bin/true\", \"args\": [\"a\\u0000b\"]}]} | /hooks/poststop/0/args/0: must not contain a NUL byte"})
    void aNullStringIsRefusedNamingIt(String c) {
        String field = c.substring(0, c.indexOf(" | ")), expected = c.substring(c.indexOf(" | ") + 3);
        String json = "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"rootfs\"}, \"process\": {\"user\": {\"uid\": 0,"
                + " \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\"}, " + field + "}";
        for (boolean schema : new boolean[]{true, false}) {
            ValidationReport r = Validator.validate(json.getBytes(), ValidationOptions.full().withSchema(schema));
            assertThat(r.problems()).as("schema %s", schema).hasSize(1);
            assertThat(r.format()).as("schema %s", schema).isEqualTo("config.json: " + expected);
        }
    }
}
