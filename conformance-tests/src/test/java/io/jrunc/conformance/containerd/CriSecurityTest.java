package io.jrunc.conformance.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.grpc.StatusRuntimeException;
import io.jrunc.conformance.cri.proto.Capability;
import io.jrunc.conformance.cri.proto.ContainerConfig;
import io.jrunc.conformance.cri.proto.ContainerFilter;
import io.jrunc.conformance.cri.proto.ContainerMetadata;
import io.jrunc.conformance.cri.proto.ContainerState;
import io.jrunc.conformance.cri.proto.ContainerStatus;
import io.jrunc.conformance.cri.proto.CreateContainerRequest;
import io.jrunc.conformance.cri.proto.CreateContainerResponse;
import io.jrunc.conformance.cri.proto.ExecSyncRequest;
import io.jrunc.conformance.cri.proto.ExecSyncResponse;
import io.jrunc.conformance.cri.proto.ImageSpec;
import io.jrunc.conformance.cri.proto.Int64Value;
import io.jrunc.conformance.cri.proto.LinuxContainerConfig;
import io.jrunc.conformance.cri.proto.LinuxContainerSecurityContext;
import io.jrunc.conformance.cri.proto.LinuxPodSandboxConfig;
import io.jrunc.conformance.cri.proto.LinuxSandboxSecurityContext;
import io.jrunc.conformance.cri.proto.ListContainersRequest;
import io.jrunc.conformance.cri.proto.ListContainersResponse;
import io.jrunc.conformance.cri.proto.Mount;
import io.jrunc.conformance.cri.proto.MountPropagation;
import io.jrunc.conformance.cri.proto.NamespaceMode;
import io.jrunc.conformance.cri.proto.NamespaceOption;
import io.jrunc.conformance.cri.proto.PodSandboxConfig;
import io.jrunc.conformance.cri.proto.PodSandboxMetadata;
import io.jrunc.conformance.cri.proto.RemoveContainerRequest;
import io.jrunc.conformance.cri.proto.RemoveContainerResponse;
import io.jrunc.conformance.cri.proto.RemovePodSandboxRequest;
import io.jrunc.conformance.cri.proto.RemovePodSandboxResponse;
import io.jrunc.conformance.cri.proto.ReopenContainerLogRequest;
import io.jrunc.conformance.cri.proto.ReopenContainerLogResponse;
import io.jrunc.conformance.cri.proto.RunPodSandboxRequest;
import io.jrunc.conformance.cri.proto.RunPodSandboxResponse;
import io.jrunc.conformance.cri.proto.SecurityProfile;
import io.jrunc.conformance.cri.proto.StartContainerRequest;
import io.jrunc.conformance.cri.proto.StartContainerResponse;
import io.jrunc.conformance.cri.proto.StopPodSandboxRequest;
import io.jrunc.conformance.cri.proto.StopPodSandboxResponse;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What a kubelet and Kubernetes' CRI validation suite (critest) ask of a runtime beyond a pod's
 * life: a container's security context (user, groups, read-only root, capabilities, no new
 * privileges, privileged, seccomp, the default masked and read-only paths), the pod's shared
 * pid and ipc namespaces and the node's pid namespace, the pod's sysctls, host paths mounted
 * read-only and read-write, a container created again after it exited (attempt 1), one shim
 * per pod, and ReopenContainerLog. Each scenario runs through containerd's CRI plugin with
 * handler {@code runc} (containerd's runc shim: the reference) and then {@code jrunc} (jrunc's
 * shim), in a pod of its own per handler; what the containers show is reduced to a text free
 * of ids and pids, and jrunc's must equal runc's. Where runc cannot do a scenario on this
 * host, it is skipped for both with runc's error.
 *
 * <p>As in {@link CriTest}: one private containerd in a network namespace of its own,
 * host-network pods, cgroups under {@code /crisectest-PID}, removed afterwards.
 */
@RequiresRoot("runs a private containerd whose CRI plugin makes pods, cgroups and mounts")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CriSecurityTest {
  private static final String CGROUP_PARENT = "/crisectest-" + ProcessHandle.current().pid();
  private static final List<String> HANDLER_ORDER = List.of("runc", "jrunc");
  private static final Pattern PID = Pattern.compile("\"pid\":\\s*(\\d+)");
  /** The paths a kubelet masks in every container (procMount Default), as it sends them in the CRI. */
  private static final List<String> KUBELET_MASKED_PATHS = List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware");
  /** The paths a kubelet makes read-only in every container. */
  private static final List<String> KUBELET_READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
  /** A container that only waits: the scenarios look at it through ExecSync. */
  private static final List<String> SLEEP = List.of("sleep", "1000");

  private static PrivateContainerd ctrd;
  private static CriTest.Cri cri;
  private static Path hostDirs;
  private static final List<String> REPORT = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startContainerd() throws Exception {
    ctrd = CriTest.startCri();
    cri = new CriTest.Cri(ctrd.socket());
    hostDirs = Files.createDirectories(ctrd.dir.resolve("hostpaths"));
    cri.awaitImages(ctrd);
  }

  @AfterAll
  static void stopContainerd() throws Exception {
    try {
      System.out.println("CriSecurityTest, per handler and scenario:\n  " + String.join("\n  ", REPORT));
      if (cri != null) cri.close();
      TestCgroups.killTree(CGROUP_PARENT);
      if (ctrd != null) ctrd.close();
    } finally {
      List<Path> left = TestCgroups.removeTree(CGROUP_PARENT);
      assertThat(left).as("cgroups left under " + CGROUP_PARENT + " (removed now)").isEmpty();
    }
  }

  // ---- 1. the container's security context -------------------------------------------------

  @Test
  @Order(10)
  void defaultContainer_capabilitiesSeccompMaskedAndReadonlyPaths() throws Exception {
    compare("default container: Cap*, NoNewPrivs, Seccomp, masked and read-only paths", handler -> {
      try (Pod pod = new Pod(handler, "default", l -> {})) {
        String c = pod.start("c", b -> {}, SLEEP);
        String status = pod.sh(c, "grep -E '^(Cap|NoNewPrivs|Seccomp)' /proc/1/status");
        assertThat(status).contains("NoNewPrivs:\t0").contains("CapEff:\t00000000a80425fb");
        // the kubelet's masked and read-only paths; this kernel has no /proc/kcore nor
        // /proc/sysrq-trigger, which a runtime skips
        String masked = pod.sh(c, "ls -A /proc/acpi /sys/firmware | wc -l; cat /proc/keys | wc -l;"
            + " v=$(cat /proc/sys/vm/overcommit_memory); echo $v > /proc/sys/vm/overcommit_memory; echo procsys write rc=$?;"
            + " stat -c '%n %F %t:%T' /proc/keys /proc/timer_list;"
            + " awk '$5 ~ \"^/proc/\" || $5 == \"/sys/firmware\" {split($6, o, \",\"); print $5, o[1]}' /proc/self/mountinfo | sort");
        assertThat(masked).contains("procsys write rc=1").contains("/proc/sys ro").contains("/proc/keys character special file 1:3");
        return status + masked;
      }
    });
  }

  @Test
  @Order(11)
  void runAsUserGroupAndSupplementalGroups() throws Exception {
    compare("run_as_user 1000, run_as_group 3000, supplemental_groups 4000 5000", handler -> {
      try (Pod pod = new Pod(handler, "user", l -> {})) {
        String c = pod.start("c", b -> b.getLinuxBuilder().getSecurityContextBuilder()
            .setRunAsUser(Int64Value.newBuilder().setValue(1000)).setRunAsGroup(Int64Value.newBuilder().setValue(3000))
            .addSupplementalGroups(4000).addSupplementalGroups(5000), SLEEP);
        String init = pod.sh(c, "grep -E '^(Uid|Gid|Groups):' /proc/1/status");
        assertThat(init).contains("Uid:\t1000\t1000\t1000\t1000").contains("Gid:\t3000\t3000\t3000\t3000").contains("4000").contains("5000");
        return init + "exec: " + pod.sh(c, "id");
      }
    });
  }

  @Test
  @Order(12)
  void readonlyRootfs_withAWritableVolume() throws Exception {
    compare("readonly_rootfs, a writable host dir (emptyDir-like) at /scratch", handler -> {
      Path scratch = hostDir("scratch-" + handler);
      try (Pod pod = new Pod(handler, "rofs", l -> {})) {
        String c = pod.start("c", b -> {
          b.addMounts(Mount.newBuilder().setContainerPath("/scratch").setHostPath(scratch.toString()));
          b.getLinuxBuilder().getSecurityContextBuilder().setReadonlyRootfs(true);
        }, SLEEP);
        String out = pod.sh(c, "touch /rootfile; echo root rc=$?; echo s > /scratch/f; echo scratch rc=$?;"
            + " touch /dev/shm/f; echo shm rc=$?; awk '$5==\"/\" || $5==\"/scratch\" {print $5, $6}' /proc/self/mountinfo");
        assertThat(out).contains("Read-only file system").contains("scratch rc=0");
        assertThat(scratch.resolve("f")).as("the file the container wrote in /scratch, on the host").hasContent("s");
        return out;
      }
    });
  }

  @Test
  @Order(13)
  void capabilitiesDropAllAddNetBindService() throws Exception {
    compare("capabilities drop ALL, add NET_BIND_SERVICE", handler -> {
      try (Pod pod = new Pod(handler, "caps", l -> {})) {
        String c = pod.start("c", b -> b.getLinuxBuilder().getSecurityContextBuilder()
            .setCapabilities(Capability.newBuilder().addDropCapabilities("ALL").addAddCapabilities("NET_BIND_SERVICE")), SLEEP);
        String caps = pod.sh(c, "grep -E '^Cap' /proc/1/status");
        assertThat(caps).contains("CapEff:\t0000000000000400");
        return caps + "exec: " + pod.sh(c, "grep -E '^Cap' /proc/self/status");
      }
    });
  }

  @Test
  @Order(14)
  void noNewPrivs() throws Exception {
    compare("no_new_privs", handler -> {
      try (Pod pod = new Pod(handler, "nnp", l -> {})) {
        String c = pod.start("c", b -> b.getLinuxBuilder().getSecurityContextBuilder().setNoNewPrivs(true), SLEEP);
        String out = pod.sh(c, "grep NoNewPrivs /proc/1/status; grep NoNewPrivs /proc/self/status");
        assertThat(out).contains("NoNewPrivs:\t1");
        return out;
      }
    });
  }

  @Test
  @Order(15)
  void privilegedContainer() throws Exception {
    compare("privileged pod and container: capabilities, seccomp, host devices, /sys", handler -> {
      try (Pod pod = new Pod(handler, "priv", l -> l.getSecurityContextBuilder().setPrivileged(true))) {
        String c = pod.start("c", b -> b.getLinuxBuilder().getSecurityContextBuilder().setPrivileged(true), SLEEP);
        String out = pod.sh(c, "grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs)' /proc/1/status; ls /dev | tr '\\n' ' '; echo;"
            + " awk '$5==\"/sys\" || $5==\"/proc\" || $5 ~ \"^/proc/\" {print $5, $6}' /proc/self/mountinfo");
        Set<String> hostDevices;
        try (Stream<Path> s = Files.list(Path.of("/dev"))) {
          hostDevices = s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        // the host's block and character devices are there (the CRI lists /dev's devices for a privileged container)
        assertThat(out).as("a privileged container's /dev").contains(hostDevices.stream().filter(d -> d.startsWith("loop")
            || d.equals("kmsg") || d.equals("mem")).limit(3).toList());
        return out;
      }
    });
  }

  @Test
  @Order(16)
  void seccompRuntimeDefaultAndUnconfined() throws Exception {
    compare("seccomp RuntimeDefault (unshare refused) and Unconfined", handler -> {
      try (Pod pod = new Pod(handler, "seccomp", l -> {})) {
        String def = pod.start("def", b -> b.getLinuxBuilder().getSecurityContextBuilder()
            .setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.RuntimeDefault)), SLEEP);
        String unconfined = pod.start("unconfined", b -> b.getLinuxBuilder().getSecurityContextBuilder()
            .setSeccomp(SecurityProfile.newBuilder().setProfileType(SecurityProfile.ProfileType.Unconfined)), SLEEP);
        String script = "grep -E '^Seccomp' /proc/1/status; unshare -U true; echo unshare rc=$?";
        String d = pod.sh(def, script);
        assertThat(d).contains("Seccomp:\t2").contains("unshare rc=1");
        return "RuntimeDefault:\n" + d + "Unconfined:\n" + pod.sh(unconfined, script);
      }
    });
  }

  // ---- 2. namespaces -----------------------------------------------------------------------

  @Test
  @Order(20)
  void sharedPodPidNamespace() throws Exception {
    compare("pid POD: the container sees the sandbox's process", handler -> {
      NamespaceOption ns = namespaces(NamespaceMode.POD, NamespaceMode.POD);
      try (Pod pod = new Pod(handler, "pidpod", l -> l.getSecurityContextBuilder().setNamespaceOptions(ns))) {
        String c = pod.start("c", b -> b.getLinuxBuilder().getSecurityContextBuilder().setNamespaceOptions(ns), SLEEP);
        // the exec's own shell and its subshells come and go: only the containers' processes count
        String out = pod.sh(c, "echo pid1: $(tr '\\0' ' ' < /proc/1/cmdline); for p in /proc/[0-9]*; do"
            + " [ $p = /proc/self ] || echo $(tr '\\0' ' ' < $p/cmdline 2>/dev/null); done | grep '^sleep' | sort");
        assertThat(out).contains("pid1: sleep 2147483647").contains("sleep 1000");
        return out;
      }
    });
  }

  @Test
  @Order(21)
  void nodePidNamespace() throws Exception {
    compare("pid NODE: the container sees the host's processes", handler -> {
      NamespaceOption ns = namespaces(NamespaceMode.NODE, NamespaceMode.POD);
      try (Pod pod = new Pod(handler, "pidnode", l -> l.getSecurityContextBuilder().setNamespaceOptions(ns))) {
        String c = pod.start("c", b -> b.getLinuxBuilder().getSecurityContextBuilder().setNamespaceOptions(ns), SLEEP);
        String hostInit = Files.readString(Path.of("/proc/1/cmdline")).replace('\0', ' ').trim();
        long me = ProcessHandle.current().pid();
        String out = pod.sh(c, "[ \"$(tr '\\0' ' ' < /proc/1/cmdline)\" = '" + hostInit.replace("'", "") + " ' ]"
            + " && echo pid 1 is the host init; [ -d /proc/" + me + " ] && echo sees the test JVM;"
            + " [ \"$(readlink /proc/1/ns/pid)\" = \"$(readlink /proc/self/ns/pid)\" ] && echo same pid namespace as pid 1");
        assertThat(out).contains("sees the test JVM");
        return out;
      }
    });
  }

  @Test
  @Order(23)
  void targetPidNamespace() throws Exception {
    compare("pid TARGET: a second container in the first one's pid namespace (as an ephemeral container)", handler -> {
      try (Pod pod = new Pod(handler, "pidtarget", l -> {})) {
        String first = pod.start("first", b -> {}, List.of("sh", "-c", "exec sleep 999"));
        String second = pod.start("second", b -> b.getLinuxBuilder().getSecurityContextBuilder().setNamespaceOptions(
            namespaces(NamespaceMode.TARGET, NamespaceMode.POD).toBuilder().setTargetId(first)), SLEEP);
        String out = pod.sh(second, "echo pid1: $(tr '\\0' ' ' < /proc/1/cmdline); for p in /proc/[0-9]*; do"
            + " [ $p = /proc/self ] || echo $(tr '\\0' ' ' < $p/cmdline 2>/dev/null); done | grep '^sleep' | sort");
        assertThat(out).contains("pid1: sleep 999").contains("sleep 1000");
        return out;
      }
    });
  }

  @Test
  @Order(22)
  void sharedPodIpcNamespace() throws Exception {
    compare("ipc POD: two containers and the sandbox share ipc and /dev/shm", handler -> {
      try (Pod pod = new Pod(handler, "ipc", l -> {})) {
        String a = pod.start("a", b -> {}, SLEEP);
        String b2 = pod.start("b", b -> {}, SLEEP);
        String ipcA = pod.sh(a, "echo shared > /dev/shm/f; readlink /proc/1/ns/ipc");
        String ipcB = pod.sh(b2, "cat /dev/shm/f; readlink /proc/1/ns/ipc");
        String sandboxIpc = Files.readSymbolicLink(Path.of("/proc/" + pod.sandboxPid() + "/ns/ipc")).toString();
        String hostIpc = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
        String out = "b reads a's /dev/shm file: " + ipcB.startsWith("exit 0\nshared\n") + "\n"
            + "a's ipc ns is b's: " + last(ipcA).equals(last(ipcB)) + "\n"
            + "a's ipc ns is the sandbox's: " + last(ipcA).equals(sandboxIpc) + "\n"
            + "a's ipc ns is the host's: " + last(ipcA).equals(hostIpc) + "\n";
        REPORT.add(handler + ": ipc: a " + ipcA.replace('\n', ' ') + ", b " + ipcB.replace('\n', ' ') + ", sandbox " + sandboxIpc);
        return out;
      }
    });
  }

  // ---- 3. sysctls --------------------------------------------------------------------------

  @Test
  @Order(30)
  void podSysctls() throws Exception {
    compare("the pod's sysctls kernel.shm_rmid_forced=1, kernel.msgmax=65536 in the container", handler -> {
      try (Pod pod = new Pod(handler, "sysctl", l -> l.putSysctls("kernel.shm_rmid_forced", "1").putSysctls("kernel.msgmax", "65536"))) {
        String c = pod.start("c", b -> {}, SLEEP);
        String out = pod.sh(c, "cat /proc/sys/kernel/shm_rmid_forced /proc/sys/kernel/msgmax");
        assertThat(out).isEqualTo("exit 0\n1\n65536\n");
        return out;
      }
    });
  }

  // ---- 4. host paths -----------------------------------------------------------------------

  @Test
  @Order(40)
  void hostPathMounts_readonlyAndReadWrite() throws Exception {
    compare("host paths at /data-ro (readonly) and /data-rw, propagation PRIVATE", handler -> {
      Path dir = hostDir("data-" + handler);
      Files.writeString(dir.resolve("host.txt"), "from the host\n");
      try (Pod pod = new Pod(handler, "hostpath", l -> {})) {
        String c = pod.start("c", b -> b
            .addMounts(Mount.newBuilder().setContainerPath("/data-ro").setHostPath(dir.toString()).setReadonly(true)
                .setPropagation(MountPropagation.PROPAGATION_PRIVATE))
            .addMounts(Mount.newBuilder().setContainerPath("/data-rw").setHostPath(dir.toString())
                .setPropagation(MountPropagation.PROPAGATION_PRIVATE)), SLEEP);
        Files.writeString(dir.resolve("later.txt"), "written after the start\n");
        String out = pod.sh(c, "cat /data-ro/host.txt /data-ro/later.txt; touch /data-ro/x; echo ro rc=$?;"
            + " echo c > /data-rw/c.txt; echo rw rc=$?;"
            + " awk '$5 ~ \"^/data\" {print $5, $6, ($7 == \"-\" ? \"private\" : $7 ~ \"^master\" ? \"slave\" : $7 ~ \"^shared\" ? \"shared\" : $7)}' /proc/self/mountinfo");
        assertThat(out).contains("from the host").contains("written after the start").contains("Read-only file system").contains("rw rc=0");
        assertThat(dir.resolve("c.txt")).as("the file written in /data-rw, on the host").hasContent("c\n");
        return out;
      }
    });
  }

  /**
   * HOST_TO_CONTAINER (rslave) needs a host path on a shared or slave mount (containerd checks);
   * this host's / is private, so the test's directory is made a shared mount of its own (bound
   * onto itself, as a kubelet's /var/lib/kubelet is shared), and a tmpfs mounted there on the
   * host after the start must appear in the container; both are unmounted afterwards.
   */
  @Test
  @Order(41)
  void hostPathMount_hostToContainer() throws Exception {
    compare("host path at /data with propagation HOST_TO_CONTAINER: a host mount made later appears", handler -> {
      Path dir = hostDir("h2c-" + handler);
      Path later = Files.createDirectories(dir.resolve("later"));
      hostCommand("mount", "--bind", dir.toString(), dir.toString());
      try {
        hostCommand("mount", "--make-shared", dir.toString());
        try (Pod pod = new Pod(handler, "h2c", l -> {})) {
          String c = pod.start("c", b -> b.addMounts(Mount.newBuilder().setContainerPath("/data").setHostPath(dir.toString())
              .setPropagation(MountPropagation.PROPAGATION_HOST_TO_CONTAINER)), SLEEP);
          hostCommand("mount", "-t", "tmpfs", "-o", "size=1m", "crisectest", later.toString());
          Files.writeString(later.resolve("f"), "on the later tmpfs\n");
          String out = pod.sh(c, "cat /data/later/f; awk '$5 ~ \"^/data\" {print $5, $9, $6, ($7 ~ \"^master\" ? \"slave\" : $7 ~ \"^shared\" ? \"shared\" : $7 == \"-\" ? \"private\" : $7)}' /proc/self/mountinfo");
          assertThat(out).contains("on the later tmpfs");
          return out;
        } finally {
          Exec.run(List.of("umount", later.toString()), null, 30);
        }
      } finally {
        hostCommand("umount", dir.toString());
      }
    });
  }

  private static void hostCommand(String... cmd) throws IOException, InterruptedException {
    Exec.Result r = Exec.run(List.of(cmd), null, 30);
    if (r.exit() != 0) throw new IOException(String.join(" ", cmd) + ": " + r);
  }

  // ---- 5. a container again after it exited ------------------------------------------------

  @Test
  @Order(50)
  void containerRestartedAsAKubeletDoes() throws Exception {
    compare("exit 2, then CreateContainer attempt 1 in the same pod, RemoveContainer both", handler -> {
      try (Pod pod = new Pod(handler, "restart", l -> {})) {
        StringBuilder out = new StringBuilder();
        String first = pod.start("c", b -> b.setLogPath("c/0.log"), List.of("sh", "-c", "exit 2"));
        ContainerStatus exited = pod.awaitState(first, ContainerState.CONTAINER_EXITED);
        out.append("attempt 0: ").append(exited.getState()).append(" exit ").append(exited.getExitCode())
            .append(" reason ").append(exited.getReason()).append(" message '").append(exited.getMessage()).append("'\n");
        assertThat(exited.getExitCode()).isEqualTo(2);
        String second = pod.start("c", b -> b.setLogPath("c/1.log").getMetadataBuilder().setAttempt(1),
            List.of("sh", "-c", "echo attempt1; exec sleep 1000"));
        ContainerStatus running = pod.awaitState(second, ContainerState.CONTAINER_RUNNING);
        out.append("attempt 1: ").append(running.getState()).append(" attempt ").append(running.getMetadata().getAttempt()).append('\n');
        awaitLog(pod.logDir.resolve("c/1.log"), "stdout F attempt1");
        out.append("attempt 1's log: attempt1\n");
        out.append("listed: ").append(pod.list().stream().map(x -> x.getMetadata().getName() + "/" + x.getMetadata().getAttempt() + " " + x.getState())
            .sorted().toList()).append('\n');
        pod.remove(first);
        pod.remove(second);
        out.append("after RemoveContainer of both: ").append(pod.list().size()).append(" containers\n");
        assertThat(pod.list()).isEmpty();
        return out.toString();
      }
    });
  }

  private static long execTimeoutRuncMillis;

  @Test
  @Order(51)
  void execSyncTimeout() throws Exception {
    compare("ExecSync of sleep 30 with timeout 1", handler -> {
      try (Pod pod = new Pod(handler, "exectimeout", l -> {})) {
        String c = pod.start("c", b -> {}, SLEEP);
        long t0 = System.nanoTime();
        String out;
        try {
          out = "answer: " + pod.sh(c, "sleep 30", 1);
        } catch (StatusRuntimeException e) {
          out = "error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription().replaceAll(".*\\}: ", "") + "\n";
        }
        long took = ms(t0);
        REPORT.add(handler + ": ExecSync timeout 1 s took " + took + " ms");
        if (handler.equals("runc")) execTimeoutRuncMillis = took;
        else assertThat(took).as("ExecSync's time with timeout 1 s (ms), against runc's " + execTimeoutRuncMillis).isLessThan(execTimeoutRuncMillis + 5000);
        return out + "after: " + pod.sh(c, "echo alive");
      }
    });
  }

  @Test
  @Order(52)
  void oomKilledContainer() throws Exception {
    compare("memory limit 32 MiB, the container allocates more: OOMKilled", handler -> {
      try (Pod pod = new Pod(handler, "oom", l -> {})) {
        String c = pod.start("c", b -> b.getLinuxBuilder().getResourcesBuilder().setMemoryLimitInBytes(32L << 20),
            List.of("sh", "-c", "a=$(head -c 200000000 /dev/zero | tr '\\0' x); echo ${#a}"));
        ContainerStatus exited = pod.awaitState(c, ContainerState.CONTAINER_EXITED);
        String out = "exit " + exited.getExitCode() + " reason " + exited.getReason() + "\n";
        assertThat(exited.getReason()).isEqualTo("OOMKilled");
        return out;
      }
    });
  }

  // ---- 6. one shim per pod -----------------------------------------------------------------

  @Test
  @Order(60)
  void twoContainersShareThePodsShim() throws Exception {
    compare("the sandbox and two containers: shim processes", handler -> {
      try (Pod pod = new Pod(handler, "shims", l -> {})) {
        String a = pod.start("a", b -> {}, SLEEP);
        String b2 = pod.start("b", b -> {}, SLEEP);
        Set<Long> all = new TreeSet<>();
        Set<String> sockets = new TreeSet<>();
        for (String id : List.of(pod.id, a, b2)) {
          Path socket = Path.of(Files.readString(ctrd.bundle(id).resolve("address")).trim().replaceFirst("^unix://", ""));
          sockets.add(socket.toString());
          all.addAll(shimListeners(socket));
        }
        REPORT.add(handler + ": shims: sockets " + sockets + ", listening pids " + all);
        assertThat(all).as("shim processes").isNotEmpty();
        return "shim sockets: " + sockets.size() + ", shim processes: " + all.size() + "\n";
      }
    });
  }

  // ---- 7. ReopenContainerLog ---------------------------------------------------------------

  @Test
  @Order(70)
  void reopenContainerLog() throws Exception {
    compare("ReopenContainerLog after the log was renamed", handler -> {
      try (Pod pod = new Pod(handler, "reopen", l -> {})) {
        String c = pod.start("c", b -> b.setLogPath("r.log"),
            List.of("sh", "-c", "i=0; while true; do echo line$i; i=$((i+1)); sleep 0.1; done"));
        Path log = pod.logDir.resolve("r.log");
        awaitLog(log, "stdout F line1");
        Path rotated = pod.logDir.resolve("r.log.1");
        Files.move(log, rotated);
        cri.call("ReopenContainerLog", ReopenContainerLogRequest.newBuilder().setContainerId(c).build(),
            ReopenContainerLogResponse.getDefaultInstance());
        awaitLog(log, "stdout F line");
        long size = Files.size(rotated);
        Thread.sleep(500);
        List<String> lines = Files.readAllLines(log);
        boolean format = lines.stream().allMatch(l -> l.matches("\\S+ stdout F line\\d+"));
        return "new file at log_path: " + !lines.isEmpty() + ", in CRI format: " + format
            + ", the renamed file stopped growing: " + (Files.size(rotated) == size) + "\n";
      }
    });
  }

  // ---- the comparison ----------------------------------------------------------------------

  @FunctionalInterface
  private interface Scenario {
    String run(String handler) throws Exception;
  }

  /**
   * Runs {@code scenario} with runc, then jrunc: runc's failure skips it for both (runc
   * cannot do it here); jrunc's failure, or an observation unlike runc's, fails.
   */
  private static void compare(String name, Scenario scenario) throws Exception {
    Map<String, String> seen = new LinkedHashMap<>();
    for (String handler : HANDLER_ORDER) {
      long t0 = System.nanoTime();
      try {
        seen.put(handler, scenario.run(handler));
        REPORT.add(handler + ": " + name + ": ok (" + ms(t0) + " ms): " + seen.get(handler).trim().replaceAll("\\s*\n\\s*", " | "));
      } catch (Exception | AssertionError e) {
        String why = String.valueOf(e.getMessage()).replaceAll("\\s*\n\\s*", " ");
        REPORT.add(handler + ": " + name + ": FAILED (" + ms(t0) + " ms): " + why);
        if (handler.equals("jrunc")) REPORT.add("jrunc: the shims' processes at the failure:\n" + shimProcesses());
        if (handler.equals("runc")) {
          assumeTrue(false, () -> "skipped for both handlers: runc cannot do " + name + " here: " + why);
        }
        throw new AssertionError("handler " + handler + ", scenario " + name + " (runc's result: " + seen.get("runc") + "): "
            + e.getMessage() + "\ncontainerd's log:\n" + ctrd.logTail(), e);
      }
    }
    assertThat(seen.get("jrunc")).as(name + ": jrunc's observation, as runc's").isEqualTo(seen.get("runc"));
  }

  /**
   * The shims of our containerd listening on unix socket {@code socket}: they run in
   * containerd's network namespace, whose sockets only their own {@code /proc/PID/net/unix} shows.
   */
  private static Set<Long> shimListeners(Path socket) throws IOException {
    Set<Long> out = new TreeSet<>();
    for (long shim : ctrd.shims()) {
      Set<String> inodes = new TreeSet<>();
      for (String line : Files.readAllLines(Path.of("/proc/" + shim + "/net/unix"))) {
        String[] c = line.trim().split("\\s+");
        if (c.length >= 8 && c[7].equals(socket.toString()) && (Long.parseLong(c[3], 16) & 0x10000) != 0) inodes.add(c[6]);
      }
      try (Stream<Path> fds = Files.list(Path.of("/proc/" + shim + "/fd"))) {
        for (Path fd : fds.toList()) {
          try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) out.add(shim);
          } catch (IOException closed) {
            // closed while being looked at
          }
        }
      }
    }
    return out;
  }

  /** The processes of our containerd's shims and below them, for a failure message. */
  private static String shimProcesses() {
    try {
      Set<Long> pids = new TreeSet<>();
      for (long shim : ctrd.shims()) {
        pids.add(shim);
        ProcessHandle.of(shim).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
      }
      Exec.Result ps = Exec.run(List.of("ps", "-eo", "pid,ppid,stat,wchan:24,etimes,args"), null, 10);
      List<String> out = new ArrayList<>();
      for (String l : ps.out().lines().toList()) {
        String[] c = l.trim().split("\\s+", 2);
        if (c[0].matches("\\d+") && pids.contains(Long.parseLong(c[0]))) out.add(l.length() > 240 ? l.substring(0, 240) : l);
      }
      // the jrunc shims' threads, for a hang
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      for (long shim : ctrd.shims()) {
        if (!Files.readString(Path.of("/proc/" + shim + "/cmdline")).contains("jrunc") || !Files.isExecutable(jcmd)) continue;
        Exec.Result threads = Exec.run(List.of(jcmd.toString(), Long.toString(shim), "Thread.print"), null, 20);
        Path dump = Files.createTempFile("crisectest-shim-" + shim + "-", ".threads");
        Files.writeString(dump, threads.out() + threads.err());
        out.add("threads of shim " + shim + ": " + dump);
      }
      return String.join("\n", out);
    } catch (Exception e) {
      return "(ps failed: " + e + ")";
    }
  }

  private static long ms(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }

  private static NamespaceOption namespaces(NamespaceMode pid, NamespaceMode ipc) {
    return NamespaceOption.newBuilder().setNetwork(NamespaceMode.NODE).setPid(pid).setIpc(ipc).build();
  }

  /** A directory for a host path, writable by any user. */
  private static Path hostDir(String name) throws IOException {
    Path dir = Files.createDirectories(hostDirs.resolve(name));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    return dir;
  }

  private static String last(String out) {
    String[] lines = out.trim().split("\n");
    return lines[lines.length - 1];
  }

  private static void awaitLog(Path log, String text) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      if (lines.stream().anyMatch(l -> l.contains(text))) return;
      if (System.nanoTime() > end) throw new AssertionError("no line with '" + text + "' in " + log + " within 10 s: " + lines);
      Thread.sleep(50);
    }
  }

  /**
   * A host-network pod of one handler, as a kubelet makes it (pid per container, the pod's
   * ipc unless {@code linux} says otherwise), with its containers; closing it stops and
   * removes it (and so its containers).
   */
  private static final class Pod implements AutoCloseable {
    final String handler;
    final String id;
    final Path logDir;
    final PodSandboxConfig config;
    final NamespaceOption namespaces;

    Pod(String handler, String name, Consumer<LinuxPodSandboxConfig.Builder> linux) throws IOException {
      this.handler = handler;
      this.logDir = Files.createDirectories(ctrd.dir.resolve("logs").resolve(name + "-" + handler));
      LinuxPodSandboxConfig.Builder l = LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT)
          .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(namespaces(NamespaceMode.CONTAINER, NamespaceMode.POD)));
      linux.accept(l);
      this.namespaces = l.getSecurityContext().getNamespaceOptions();
      this.config = PodSandboxConfig.newBuilder()
          .setMetadata(PodSandboxMetadata.newBuilder().setName(name + "-" + handler).setNamespace("crisectest")
              .setUid(name + "-" + handler + "-" + ProcessHandle.current().pid()))
          .setLogDirectory(logDir.toString())
          .setLinux(l)
          .build();
      this.id = cri.call("RunPodSandbox", RunPodSandboxRequest.newBuilder().setConfig(config).setRuntimeHandler(handler).build(),
          RunPodSandboxResponse.getDefaultInstance()).getPodSandboxId();
    }

    /** Creates and starts container {@code name} running {@code command}; returns its id. */
    String start(String name, Consumer<ContainerConfig.Builder> customize, List<String> command) {
      ContainerConfig.Builder b = ContainerConfig.newBuilder()
          .setMetadata(ContainerMetadata.newBuilder().setName(name))
          .setImage(ImageSpec.newBuilder().setImage(BusyboxImage.NAME))
          .addAllCommand(command)
          .setLogPath(name + ".log")
          .setLinux(LinuxContainerConfig.newBuilder()
              .setSecurityContext(LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(namespaces)
                  .addAllMaskedPaths(KUBELET_MASKED_PATHS).addAllReadonlyPaths(KUBELET_READONLY_PATHS)));
      customize.accept(b);
      String c = cri.call("CreateContainer", CreateContainerRequest.newBuilder().setPodSandboxId(id).setConfig(b)
          .setSandboxConfig(config).build(), CreateContainerResponse.getDefaultInstance()).getContainerId();
      cri.call("StartContainer", StartContainerRequest.newBuilder().setContainerId(c).build(), StartContainerResponse.getDefaultInstance());
      return c;
    }

    /** ExecSync of {@code sh -c script}: "exit N", then stdout, then stderr if any. */
    String sh(String container, String script) {
      return sh(container, script, 20);
    }

    String sh(String container, String script, int timeoutSeconds) {
      ExecSyncResponse r = cri.call("ExecSync", ExecSyncRequest.newBuilder().setContainerId(container).setTimeout(timeoutSeconds)
          .addAllCmd(List.of("sh", "-c", script)).build(), ExecSyncResponse.getDefaultInstance());
      String err = r.getStderr().toString(StandardCharsets.UTF_8);
      return "exit " + r.getExitCode() + "\n" + r.getStdout().toString(StandardCharsets.UTF_8) + (err.isEmpty() ? "" : "stderr: " + err);
    }

    ContainerStatus awaitState(String container, ContainerState state) throws InterruptedException {
      long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (true) {
        ContainerStatus s = cri.containerStatus(container).getStatus();
        if (s.getState() == state) return s;
        if (System.nanoTime() > end) throw new AssertionError("container " + container + " not " + state + " within 10 s: " + s);
        Thread.sleep(50);
      }
    }

    List<io.jrunc.conformance.cri.proto.Container> list() {
      ListContainersResponse r = cri.call("ListContainers", ListContainersRequest.newBuilder()
          .setFilter(ContainerFilter.newBuilder().setPodSandboxId(id)).build(), ListContainersResponse.getDefaultInstance());
      return r.getContainersList();
    }

    void remove(String container) {
      cri.call("RemoveContainer", RemoveContainerRequest.newBuilder().setContainerId(container).build(), RemoveContainerResponse.getDefaultInstance());
    }

    long sandboxPid() {
      Matcher m = PID.matcher(cri.podStatus(id).getInfoMap().get("info"));
      assertThat(m.find()).isTrue();
      return Long.parseLong(m.group(1));
    }

    @Override
    public void close() {
      cri.call("StopPodSandbox", StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build(), StopPodSandboxResponse.getDefaultInstance());
      cri.call("RemovePodSandbox", RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build(), RemovePodSandboxResponse.getDefaultInstance());
    }
  }
}
