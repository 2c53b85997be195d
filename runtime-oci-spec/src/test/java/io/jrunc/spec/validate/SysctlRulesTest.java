package io.jrunc.spec.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** linux.sysctl as runc's validator has it, in jrunc's one place for it. */
class SysctlRulesTest {
    private static final String ALL_NS = "[{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
            + " {\"type\": \"uts\"}, {\"type\": \"mount\"}]";

    private static List<String> problems(String namespaces, String sysctl) throws java.io.IOException {
        Spec s = Json.read(("""
                {"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "process": {"user": {"uid": 0, "gid": 0},
                 "args": ["sh"], "cwd": "/"},
                 "linux": {"namespaces": %s, "sysctl": %s}}""").formatted(namespaces, sysctl).getBytes(), Spec.class);
        return Validator.semantic(s).stream().map(Problem::toString).toList();
    }

    @Test
    void namespacedKeysWithTheirNamespaceAreAllowed() throws Exception {
        assertThat(problems(ALL_NS, """
                {"kernel.shmmax": "1", "fs.mqueue.msg_max": "1", "net.ipv4.ip_forward": "1",
                 "kernel.domainname": "x", "net/ipv4/conf/eth0.100/forwarding": "1"}""")).isEmpty();
    }

    @Test
    void kernelHostnameIsRefusedAsRuncDoes() throws Exception {
        // runc: it conflicts with the OCI hostname field (the validator used to allow it with a uts namespace)
        assertThat(problems(ALL_NS, "{\"kernel.hostname\": \"x\"}")).containsExactly(
                "config.json: /linux/sysctl/kernel.hostname: sysctl \"kernel.hostname\" is not allowed as it conflicts"
                        + " with the OCI \"hostname\" field");
    }

    @Test
    void eachMissingNamespaceAndBadNameIsNamed() throws Exception {
        assertThat(problems("[{\"type\": \"mount\"}]", """
                {"kernel.msgmax": "1", "net.core.somaxconn": "1", "kernel.domainname": "x", "vm.swappiness": "1",
                 "net..ipv4": "1", "net/../x": "1"}""")).containsExactlyInAnyOrder(
                "config.json: /linux/sysctl/kernel.msgmax: sysctl \"kernel.msgmax\" requires an ipc namespace in linux.namespaces",
                "config.json: /linux/sysctl/net.core.somaxconn: sysctl \"net.core.somaxconn\" requires a network namespace in linux.namespaces",
                "config.json: /linux/sysctl/kernel.domainname: sysctl \"kernel.domainname\" requires a uts namespace in linux.namespaces",
                "config.json: /linux/sysctl/vm.swappiness: sysctl \"vm.swappiness\" is not namespaced; setting it would change the host",
                "config.json: /linux/sysctl/net..ipv4: sysctl \"net..ipv4\" is not a valid sysctl name",
                "config.json: /linux/sysctl/net~1..~1x: sysctl \"net/../x\" is not a valid sysctl name");
    }

    @Test
    void keysTurnIntoProcSysPaths() {
        assertThat(SysctlRules.procPath("net.ipv4.ip_forward")).isEqualTo("net/ipv4/ip_forward");
        assertThat(SysctlRules.procPath("net/ipv4/conf/eth0.100/forwarding")).isEqualTo("net/ipv4/conf/eth0.100/forwarding");
        assertThat(SysctlRules.namespaceOf("net/ipv4/conf/eth0.100/forwarding")).isEqualTo("network");
    }

    @Test
    void hugepageSizesAreRuncs() {
        assertThat(List.of("64KB", "2MB", "1GB", "512B")).allMatch(ResourceRules::isPageSize);
        assertThat(List.of("2M", "02MB", "3XB", "", "MB")).noneMatch(ResourceRules::isPageSize);
    }
}
