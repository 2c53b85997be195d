package io.jrunc.spec.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The mount, device and propagation rules that need no host: once, in the validator (core only acts on them). */
class MountRulesTest {
    private static List<String> problems(String mounts, String linuxExtra) throws Exception {
        Spec s = Json.read(("""
                {"ociVersion": "1.3.0", "root": {"path": "rootfs"}, "process": {"user": {"uid": 0, "gid": 0},
                 "args": ["sh"], "cwd": "/"}, "mounts": %s,
                 "linux": {"namespaces": [{"type": "mount"}]%s}}""").formatted(mounts, linuxExtra).getBytes(), Spec.class);
        return Validator.semantic(s).stream().map(Problem::toString).toList();
    }

    @Test
    void optionsMustFitTheMountType() throws Exception {
        assertThat(problems("""
                [{"destination": "/tmp", "type": "bind", "source": "/tmp", "options": ["rbind", "tmpcopyup"]},
                 {"destination": "/m", "type": "bind", "source": "/tmp", "options": ["rbind", "idmap"]},
                 {"destination": "/n", "type": "tmpfs", "options": ["idmap"]},
                 {"destination": "/x", "source": "none"}]""", "")).containsExactlyInAnyOrder(
                "config.json: /mounts/0/options/1: option tmpcopyup is only valid for tmpfs mounts",
                "config.json: /mounts/1/options/1: option idmap without uidMappings/gidMappings needs linux.uidMappings and linux.gidMappings, or a user namespace joined by path",
                "config.json: /mounts/2: invalid mount: only bind mounts can be id-mapped",
                "config.json: /mounts/3/type: invalid mount: type is required unless options include bind or rbind");
    }

    @Test
    void validMountsPass() throws Exception {
        assertThat(problems("""
                [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "mode=755"]},
                 {"destination": "/m", "source": "/tmp", "options": ["rbind", "ro"]},
                 {"destination": "/r", "type": "bind", "source": "/tmp", "options": ["remount", "ro"]}]""", "")).isEmpty();
    }

    @Test
    void idMappedMountNeedsBothMaps() throws Exception {
        assertThat(problems("""
                [{"destination": "/m", "source": "/tmp", "options": ["bind"],
                  "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]""", "")).containsExactly(
                "config.json: /mounts/0/gidMappings: invalid mount: an id-mapped mount needs both uidMappings and gidMappings");
    }

    @Test
    void devicesPropagationAndPaths() throws Exception {
        assertThat(problems("[]", """
                , "rootfsPropagation": "sideways", "maskedPaths": ["proc/kcore"],
                  "devices": [{"path": "/dev/x", "type": "q", "major": 1, "minor": 1},
                              {"path": "/dev/y", "type": "c"},
                              {"path": "/x/..", "type": "c", "major": 1, "minor": 3},
                              {"path": "/dev/z", "type": "c", "major": 4096, "minor": 1}]""")).hasSize(7)
                .anyMatch(p -> p.startsWith("config.json: /linux/rootfsPropagation: "))
                .anyMatch(p -> p.startsWith("config.json: /linux/maskedPaths/0: "))
                .anyMatch(p -> p.startsWith("config.json: /linux/devices/0/type: "))
                .contains("config.json: /linux/devices/1/major: is required", "config.json: /linux/devices/1/minor: is required",
                        "config.json: /linux/devices/2/path: path / is not a device",
                        "config.json: /linux/devices/3: device number 4096:1 out of range (major 0-4095, minor 0-1048575)");
    }
}
