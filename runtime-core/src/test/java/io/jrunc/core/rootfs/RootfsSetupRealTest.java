package io.jrunc.core.rootfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.spawn.Spawner;
import io.jrunc.spec.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RootfsSetup's steps run by a real child (root, real kernel), checked from inside with busybox. */
class RootfsSetupRealTest {
  @TempDir Path tmp;

  static final long NS = Spawner.CLONE_NEWNS | Spawner.CLONE_NEWPID | Spawner.CLONE_NEWCGROUP | Spawner.CLONE_NEWIPC
      | Spawner.CLONE_NEWUTS | Spawner.CLONE_NEWNET;

  static final String DEFAULT_MOUNTS = """
      [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}
      ]""";

  static final String NAMESPACES = """
      [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}]""";

  static String spec(String mounts, String linuxExtra, boolean readonlyRoot) {
    return """
        {"ociVersion": "1.2.0", "root": {"path": "rootfs", "readonly": %s}, "mounts": %s,
         "linux": {"namespaces": %s %s}}""".formatted(readonlyRoot, mounts, NAMESPACES,
        linuxExtra.isEmpty() ? "" : ", " + linuxExtra);
  }

  static final String MASKS = """
      "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
      "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]""";

  private ContainerRun.Result run(String json, String script) throws Exception {
    Path bundle = ContainerRun.bundle(tmp);
    Spec spec = ContainerRun.spec(json);
    return ContainerRun.run(RootfsContext.of(spec, bundle), NS, script);
  }

  @Test
  void defaultSpecMountsDevicesMasksAndReadonlyRoot() throws Exception {
    Set<String> before = ContainerRun.hostMounts();
    ContainerRun.Result r = run(spec(DEFAULT_MOUNTS, MASKS, true), """
        cat /proc/self/mountinfo; echo ---
        ls -ln /dev; echo ---
        ls -l /sys/fs/cgroup; echo ---
        echo kcore=$(wc -c < /proc/kcore) acpi=$(ls -A /proc/acpi | wc -l)
        touch /x 2>/dev/null && echo root-writable || echo root-ro
        (echo 1 > /proc/sys/kernel/ns_last_pid) 2>/dev/null && echo sys-writable || echo sys-ro
        touch /dev/shm/x && echo shm-writable
        echo cwd=$(pwd)
        """);
    System.out.println(r.out());
    assertThat(r.exit()).isZero();
    assertThat(ContainerRun.hostMounts()).isEqualTo(before);
  }
}
