package io.jrunc.conformance.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.TextFormat;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.jrunc.conformance.Jrunc;
import io.jrunc.conformance.cri.proto.ContainerConfig;
import io.jrunc.conformance.cri.proto.ContainerFilter;
import io.jrunc.conformance.cri.proto.ContainerMetadata;
import io.jrunc.conformance.cri.proto.ContainerState;
import io.jrunc.conformance.cri.proto.ContainerStats;
import io.jrunc.conformance.cri.proto.ContainerStatsRequest;
import io.jrunc.conformance.cri.proto.ContainerStatsResponse;
import io.jrunc.conformance.cri.proto.ContainerStatus;
import io.jrunc.conformance.cri.proto.ContainerStatusRequest;
import io.jrunc.conformance.cri.proto.ContainerStatusResponse;
import io.jrunc.conformance.cri.proto.CreateContainerRequest;
import io.jrunc.conformance.cri.proto.CreateContainerResponse;
import io.jrunc.conformance.cri.proto.ExecSyncRequest;
import io.jrunc.conformance.cri.proto.ExecSyncResponse;
import io.jrunc.conformance.cri.proto.ImageSpec;
import io.jrunc.conformance.cri.proto.ImageStatusRequest;
import io.jrunc.conformance.cri.proto.ImageStatusResponse;
import io.jrunc.conformance.cri.proto.LinuxContainerConfig;
import io.jrunc.conformance.cri.proto.LinuxContainerResources;
import io.jrunc.conformance.cri.proto.LinuxContainerSecurityContext;
import io.jrunc.conformance.cri.proto.LinuxPodSandboxConfig;
import io.jrunc.conformance.cri.proto.LinuxSandboxSecurityContext;
import io.jrunc.conformance.cri.proto.ListContainersRequest;
import io.jrunc.conformance.cri.proto.ListContainersResponse;
import io.jrunc.conformance.cri.proto.ListPodSandboxRequest;
import io.jrunc.conformance.cri.proto.ListPodSandboxResponse;
import io.jrunc.conformance.cri.proto.NamespaceMode;
import io.jrunc.conformance.cri.proto.NamespaceOption;
import io.jrunc.conformance.cri.proto.PodSandboxConfig;
import io.jrunc.conformance.cri.proto.PodSandboxFilter;
import io.jrunc.conformance.cri.proto.PodSandboxMetadata;
import io.jrunc.conformance.cri.proto.PodSandboxState;
import io.jrunc.conformance.cri.proto.PodSandboxStatusRequest;
import io.jrunc.conformance.cri.proto.PodSandboxStatusResponse;
import io.jrunc.conformance.cri.proto.RemoveContainerRequest;
import io.jrunc.conformance.cri.proto.RemoveContainerResponse;
import io.jrunc.conformance.cri.proto.RemovePodSandboxRequest;
import io.jrunc.conformance.cri.proto.RemovePodSandboxResponse;
import io.jrunc.conformance.cri.proto.RunPodSandboxRequest;
import io.jrunc.conformance.cri.proto.RunPodSandboxResponse;
import io.jrunc.conformance.cri.proto.StartContainerRequest;
import io.jrunc.conformance.cri.proto.StartContainerResponse;
import io.jrunc.conformance.cri.proto.StopContainerRequest;
import io.jrunc.conformance.cri.proto.StopContainerResponse;
import io.jrunc.conformance.cri.proto.StopPodSandboxRequest;
import io.jrunc.conformance.cri.proto.StopPodSandboxResponse;
import io.jrunc.conformance.cri.proto.UpdateContainerResourcesRequest;
import io.jrunc.conformance.cri.proto.UpdateContainerResourcesResponse;
import io.jrunc.conformance.cri.proto.VersionRequest;
import io.jrunc.conformance.cri.proto.VersionResponse;
import io.jrunc.testsupport.RequiresRoot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A pod's life through Kubernetes' Container Runtime Interface, as a kubelet drives it:
 * containerd's CRI plugin ({@code runtime.v1.RuntimeService} over gRPC) with runtime handler
 * {@code runc} (containerd's runc shim and runc: the reference) and handler {@code jrunc}
 * (jrunc's shim), the same calls and checks for both, runc first; where jrunc's answer can
 * only be judged against runc's (the exit code and reason a stop gives; whether stats carry
 * cpu usage, a working set, one below usage with page cache in the container, page faults),
 * runc's complete run is the expectation. Each step is asserted; the steps and their times are
 * printed, with the wall time of StopPodSandbox (which a kubelet waits for) per handler.
 *
 * <p>One private containerd ({@link PrivateContainerd#startWithCri}) in a network namespace
 * of its own serves the class; pods use the host's (that is, containerd's) network, so no CNI
 * is needed, and their containers' cgroups sit under {@code /critest-PID}, removed afterwards
 * in every hierarchy. After each pod: no process, shim, cgroup, mount, bundle or runtime state
 * of it is left.
 */
@RequiresRoot("runs a private containerd whose CRI plugin makes pods, cgroups and mounts")
class CriTest {
  private static final String CGROUP_PARENT = "/critest-" + ProcessHandle.current().pid();
  /** CRI runtime handler name -> runtime type, in the order the pods run. */
  private static final Map<String, String> HANDLERS = new LinkedHashMap<>();

  static {
    HANDLERS.put("runc", ShimRuntime.RUNC_SHIM_RUNC.runtimeType);
    HANDLERS.put("jrunc", ShimRuntime.JRUNC_SHIM.runtimeType);
  }

  private static final long CREATE_MEMORY_LIMIT = 128L << 20;
  private static final long UPDATED_MEMORY_LIMIT = 64L << 20;
  private static final Pattern PID = Pattern.compile("\"pid\":\\s*(\\d+)");

  private static PrivateContainerd ctrd;
  private static Cri cri;
  /** What each handler's pod showed, for the comparison of jrunc's against runc's. */
  private static final Map<String, Observed> OBSERVED = Collections.synchronizedMap(new LinkedHashMap<>());
  /** Every step of every handler with its outcome and time, printed at the end. */
  private static final List<String> REPORT = Collections.synchronizedList(new ArrayList<>());

  /** A handler's answers where runc's are jrunc's expectation. */
  private static final class Observed {
    int stopExitCode = -1;
    String stopReason;
    boolean workingSetPositive;
    boolean workingSetBelowUsage;
    boolean pageFaultsPositive;
    boolean cpuUsagePresent;
    long stopPodSandboxMillis = -1;
    /** Every step passed: only then is it an expectation for jrunc. */
    boolean complete;
  }

  @BeforeAll
  static void startContainerd() throws Exception {
    ctrd = startCri();
    cri = new Cri(ctrd.socket());
    cri.awaitImages(ctrd);
  }

  /**
   * A private containerd with its CRI plugin and both handlers ({@link #HANDLERS}), or the
   * calling class skipped with the reason when a tool or a runtime is missing here.
   */
  static PrivateContainerd startCri() throws IOException, InterruptedException {
    String missing = PrivateContainerd.missingTools();
    assumeTrue(missing == null, () -> "CRI tests skipped: " + missing);
    for (String tool : List.of("ip", "unshare")) {
      boolean found = Stream.of(Exec.SYSTEM_PATH.split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
      assumeTrue(found, () -> "CRI tests skipped: " + tool + " is not installed (Debian package " + (tool.equals("ip") ? "iproute2" : "util-linux") + ")");
    }
    for (ShimRuntime rt : List.of(ShimRuntime.RUNC_SHIM_RUNC, ShimRuntime.JRUNC_SHIM)) {
      String why = rt.unavailable();
      assumeTrue(why == null, () -> "CRI tests skipped: " + why);
    }
    return PrivateContainerd.startWithCri(Jrunc.REPO.resolve("bin"), HANDLERS);
  }

  @AfterAll
  static void stopContainerd() throws Exception {
    try {
      System.out.println("CriTest, per handler and step:\n  " + String.join("\n  ", REPORT));
      OBSERVED.forEach((h, o) -> System.out.println("CriTest: StopPodSandbox with handler " + h + ": " + o.stopPodSandboxMillis + " ms"));
      if (cri != null) cri.close();
      TestCgroups.killTree(CGROUP_PARENT); // a failed test's container: it holds its cgroup and mounts
      if (ctrd != null) ctrd.close();
    } finally {
      List<Path> left = TestCgroups.removeTree(CGROUP_PARENT);
      assertThat(left).as("cgroups left under " + CGROUP_PARENT + " (removed now)").isEmpty();
    }
  }

  @ParameterizedTest(name = "runtime handler {0}")
  @ValueSource(strings = {"runc", "jrunc"})
  void podLifecycleThroughTheCri(String handler) throws Exception {
    Observed seen = new Observed();
    Observed runc = handler.equals("runc") || OBSERVED.get("runc") == null || !OBSERVED.get("runc").complete ? null : OBSERVED.get("runc");
    Path runtimeRoot = runtimeRoot(handler);
    Set<String> stateBefore = entries(runtimeRoot);
    Path logDir = ctrd.dir.resolve("logs").resolve(handler);
    Files.createDirectories(logDir);
    // as a kubelet sets them for a host-network pod: host network (no CNI: containerd's own
    // namespace), a pid namespace per container, the pod's IPC namespace
    NamespaceOption namespaces = NamespaceOption.newBuilder()
        .setNetwork(NamespaceMode.NODE).setPid(NamespaceMode.CONTAINER).setIpc(NamespaceMode.POD).build();
    PodSandboxConfig podConfig = PodSandboxConfig.newBuilder()
        .setMetadata(PodSandboxMetadata.newBuilder().setName("critest-" + handler).setNamespace("critest")
            .setUid("critest-" + handler + "-" + ProcessHandle.current().pid()))
        .setLogDirectory(logDir.toString())
        .putLabels("critest", handler)
        .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(CGROUP_PARENT)
            .setSecurityContext(LinuxSandboxSecurityContext.newBuilder().setNamespaceOptions(namespaces)))
        .build();
    String[] podId = {null};
    String[] containerId = {null};
    long[] pids = {-1, -1};
    try {
      step(handler, "Version", () -> {
        VersionResponse version = cri.version();
        assertThat(version.getRuntimeName()).isEqualTo("containerd");
        assertThat(version.getRuntimeApiVersion()).isNotEmpty();
        return null;
      });

      step(handler, "RunPodSandbox", () -> {
        RunPodSandboxRequest run = RunPodSandboxRequest.newBuilder().setConfig(podConfig).setRuntimeHandler(handler).build();
        podId[0] = cri.call("RunPodSandbox", run, RunPodSandboxResponse.getDefaultInstance()).getPodSandboxId();
        assertThat(podId[0]).isNotEmpty();
        return null;
      });
      String pod = podId[0];
      step(handler, "PodSandboxStatus: READY, in its cgroup", () -> {
        PodSandboxStatusResponse status = cri.podStatus(pod);
        assertThat(status.getStatus().getState()).as("pod state").isEqualTo(PodSandboxState.SANDBOX_READY);
        assertThat(status.getStatus().getRuntimeHandler()).isEqualTo(handler);
        pids[0] = pid(status.getInfoMap().get("info"));
        assertInCgroup(pids[0], pod);
        return null;
      });

      ContainerConfig containerConfig = ContainerConfig.newBuilder()
          .setMetadata(ContainerMetadata.newBuilder().setName("c0"))
          .setImage(ImageSpec.newBuilder().setImage(BusyboxImage.NAME))
          // 16 MiB of page cache first, which the working set the CRI computes leaves out
          .addAllCommand(List.of("sh", "-c", "dd if=/dev/zero of=/cache bs=1M count=16 2>/dev/null; echo hello; sleep 1000"))
          .setLogPath("c0.log")
          .setLinux(LinuxContainerConfig.newBuilder()
              .setResources(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(CREATE_MEMORY_LIMIT))
              .setSecurityContext(LinuxContainerSecurityContext.newBuilder().setNamespaceOptions(namespaces)))
          .build();
      step(handler, "CreateContainer", () -> {
        CreateContainerRequest create = CreateContainerRequest.newBuilder().setPodSandboxId(pod).setConfig(containerConfig)
            .setSandboxConfig(podConfig).build();
        containerId[0] = cri.call("CreateContainer", create, CreateContainerResponse.getDefaultInstance()).getContainerId();
        assertThat(cri.containerStatus(containerId[0]).getStatus().getState()).as("container state").isEqualTo(ContainerState.CONTAINER_CREATED);
        return null;
      });
      String id = containerId[0];
      step(handler, "StartContainer", () -> cri.call("StartContainer", StartContainerRequest.newBuilder().setContainerId(id).build(),
          StartContainerResponse.getDefaultInstance()));
      step(handler, "ContainerStatus: RUNNING, in its cgroup", () -> {
        ContainerStatusResponse running = cri.containerStatus(id);
        assertThat(running.getStatus().getState()).as("container state").isEqualTo(ContainerState.CONTAINER_RUNNING);
        assertThat(running.getStatus().getStartedAt()).isPositive();
        pids[1] = pid(running.getInfoMap().get("info"));
        assertInCgroup(pids[1], id);
        return null;
      });

      Path log = logDir.resolve("c0.log");
      step(handler, "the container's log has hello (CRI format)", () -> awaitLogLine(log, Pattern.compile("^\\S+ stdout F hello$")));

      step(handler, "ExecSync: exit 3, out, err", () -> {
        ExecSyncRequest execSync = ExecSyncRequest.newBuilder().setContainerId(id).setTimeout(20)
            .addAllCmd(List.of("sh", "-c", "echo out; echo err >&2; exit 3")).build();
        ExecSyncResponse exec = cri.call("ExecSync", execSync, ExecSyncResponse.getDefaultInstance());
        assertThat(exec.getExitCode()).as("ExecSync's exit code").isEqualTo(3);
        assertThat(exec.getStdout().toString(StandardCharsets.UTF_8)).as("ExecSync's stdout").isEqualTo("out\n");
        assertThat(exec.getStderr().toString(StandardCharsets.UTF_8)).as("ExecSync's stderr").isEqualTo("err\n");
        return null;
      });

      step(handler, "ContainerStats: cpu, memory", () -> {
        ContainerStats stats = cri.call("ContainerStats", ContainerStatsRequest.newBuilder().setContainerId(id).build(),
            ContainerStatsResponse.getDefaultInstance()).getStats();
        REPORT.add(handler + ": ContainerStats " + TextFormat.shortDebugString(stats));
        assertThat(stats.getAttributes().getId()).isEqualTo(id);
        assertThat(stats.hasCpu()).as("cpu stats").isTrue();
        assertThat(stats.getCpu().getTimestamp()).isPositive();
        assertThat(stats.hasMemory()).as("memory stats").isTrue();
        assertThat(stats.getMemory().getTimestamp()).isPositive();
        assertThat(stats.getMemory().hasWorkingSetBytes()).as("memory working set").isTrue();
        seen.cpuUsagePresent = stats.getCpu().hasUsageCoreNanoSeconds();
        long workingSet = stats.getMemory().getWorkingSetBytes().getValue();
        seen.workingSetPositive = workingSet > 0;
        // the CRI's working set is usage - total_inactive_file (cgroup v1) or - inactive_file (v2)
        seen.workingSetBelowUsage = workingSet < stats.getMemory().getUsageBytes().getValue();
        seen.pageFaultsPositive = stats.getMemory().getPageFaults().getValue() > 0;
        if (runc != null) {
          assertThat(seen.cpuUsagePresent).as("cpu usage_core_nano_seconds present, as with runc").isEqualTo(runc.cpuUsagePresent);
          if (runc.workingSetPositive) assertThat(seen.workingSetPositive).as("memory working set > 0, as with runc").isTrue();
          if (runc.workingSetBelowUsage) {
            assertThat(seen.workingSetBelowUsage).as("memory working set below usage (page cache left out), as with runc").isTrue();
          }
          if (runc.pageFaultsPositive) assertThat(seen.pageFaultsPositive).as("memory page faults > 0, as with runc").isTrue();
        }
        return null;
      });

      step(handler, "UpdateContainerResources: memory limit, read back from the host", () -> {
        Path limitFile = memoryLimitFile(id);
        assertThat(Files.readString(limitFile).trim()).as("the memory limit CreateContainer set, in " + limitFile)
            .isEqualTo(Long.toString(CREATE_MEMORY_LIMIT));
        UpdateContainerResourcesRequest update = UpdateContainerResourcesRequest.newBuilder().setContainerId(id)
            .setLinux(LinuxContainerResources.newBuilder().setMemoryLimitInBytes(UPDATED_MEMORY_LIMIT)).build();
        cri.call("UpdateContainerResources", update, UpdateContainerResourcesResponse.getDefaultInstance());
        assertThat(Files.readString(limitFile).trim()).as("the memory limit after UpdateContainerResources, in " + limitFile)
            .isEqualTo(Long.toString(UPDATED_MEMORY_LIMIT));
        return null;
      });

      // sh is its pid namespace's init (pid CONTAINER), so SIGTERM (no handler) is ignored: the
      // CRI sends SIGKILL when the 2 s are up
      step(handler, "StopContainer (timeout 2 s)", () -> cri.call("StopContainer",
          StopContainerRequest.newBuilder().setContainerId(id).setTimeout(2).build(), StopContainerResponse.getDefaultInstance()));
      step(handler, "ContainerStatus: EXITED, 137/143 as runc", () -> {
        ContainerStatus exited = cri.containerStatus(id).getStatus();
        seen.stopExitCode = exited.getExitCode();
        seen.stopReason = exited.getReason();
        REPORT.add(handler + ": stopped container: exit code " + exited.getExitCode() + ", reason " + exited.getReason());
        assertThat(exited.getState()).as("container state after StopContainer").isEqualTo(ContainerState.CONTAINER_EXITED);
        assertThat(exited.getFinishedAt()).isPositive();
        assertThat(exited.getExitCode()).as("exit code after StopContainer").isIn(137, 143);
        if (runc != null) {
          assertThat(exited.getExitCode()).as("exit code after StopContainer, as with runc").isEqualTo(runc.stopExitCode);
          assertThat(exited.getReason()).as("reason after StopContainer, as with runc").isEqualTo(runc.stopReason);
        }
        assertThat(alive(pids[1])).as("container process " + pids[1] + " after StopContainer").isFalse();
        return null;
      });

      step(handler, "RemoveContainer", () -> {
        cri.call("RemoveContainer", RemoveContainerRequest.newBuilder().setContainerId(id).build(), RemoveContainerResponse.getDefaultInstance());
        containerId[0] = null;
        ListContainersResponse containers = cri.call("ListContainers", ListContainersRequest.newBuilder()
            .setFilter(ContainerFilter.newBuilder().setPodSandboxId(pod)).build(), ListContainersResponse.getDefaultInstance());
        assertThat(containers.getContainersList()).as("the pod's containers after RemoveContainer").isEmpty();
        return null;
      });

      step(handler, "StopPodSandbox", () -> {
        long t0 = System.nanoTime();
        cri.call("StopPodSandbox", StopPodSandboxRequest.newBuilder().setPodSandboxId(pod).build(), StopPodSandboxResponse.getDefaultInstance());
        seen.stopPodSandboxMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        return null;
      });
      step(handler, "PodSandboxStatus: NOTREADY", () -> {
        assertThat(cri.podStatus(pod).getStatus().getState()).as("pod state after StopPodSandbox").isEqualTo(PodSandboxState.SANDBOX_NOTREADY);
        assertThat(alive(pids[0])).as("the pod's sandbox process " + pids[0] + " after StopPodSandbox").isFalse();
        return null;
      });
      step(handler, "RemovePodSandbox", () -> {
        cri.call("RemovePodSandbox", RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod).build(), RemovePodSandboxResponse.getDefaultInstance());
        podId[0] = null;
        ListPodSandboxResponse pods = cri.call("ListPodSandbox", ListPodSandboxRequest.newBuilder()
            .setFilter(PodSandboxFilter.newBuilder().setId(pod)).build(), ListPodSandboxResponse.getDefaultInstance());
        assertThat(pods.getItemsList()).as("pods after RemovePodSandbox").isEmpty();
        return null;
      });

      step(handler, "nothing left (processes, shims, cgroups, mounts, bundles, runtime state)", () -> {
        assertNothingLeft(handler, pod, id, List.of(pids[0], pids[1]), runtimeRoot, stateBefore);
        return null;
      });
      seen.complete = true;
    } finally {
      OBSERVED.put(handler, seen);
      // a failed step: leave the next handler (and the class's teardown) a clean CRI
      if (containerId[0] != null) {
        quietly(() -> cri.call("RemoveContainer", RemoveContainerRequest.newBuilder().setContainerId(containerId[0]).build(),
            RemoveContainerResponse.getDefaultInstance()));
      }
      if (podId[0] != null) {
        quietly(() -> cri.call("StopPodSandbox", StopPodSandboxRequest.newBuilder().setPodSandboxId(podId[0]).build(),
            StopPodSandboxResponse.getDefaultInstance()));
        quietly(() -> cri.call("RemovePodSandbox", RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId[0]).build(),
            RemovePodSandboxResponse.getDefaultInstance()));
      }
    }
  }

  // ---- the checks after a pod is gone ------------------------------------------------------

  /**
   * Nothing of a removed pod remains: its processes, its shims, its containers' and its own
   * cgroups (every hierarchy), containerd's bundles and the CRI's sandbox directory (and any
   * mount under them, such as the pod's /dev/shm), the runtime's state.
   */
  private static void assertNothingLeft(String handler, String podId, String containerId, List<Long> pids, Path runtimeRoot,
      Set<String> stateBefore) throws Exception {
    List<Path> cgroups = new ArrayList<>(TestCgroups.dirs(CGROUP_PARENT + "/" + podId));
    cgroups.addAll(TestCgroups.dirs(CGROUP_PARENT + "/" + containerId));
    List<Path> dirs = List.of(ctrd.bundle(podId), ctrd.bundle(containerId),
        ctrd.dir.resolve("state/io.containerd.grpc.v1.cri/sandboxes").resolve(podId),
        ctrd.dir.resolve("root/io.containerd.grpc.v1.cri/sandboxes").resolve(podId),
        ctrd.dir.resolve("root/io.containerd.grpc.v1.cri/containers").resolve(containerId));
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < end && (!ctrd.shims().isEmpty() || pids.stream().anyMatch(CriTest::alive)
        || cgroups.stream().anyMatch(Files::exists) || dirs.stream().anyMatch(Files::exists))) {
      Thread.sleep(50);
    }
    for (long pid : pids) assertThat(alive(pid)).as("process " + pid + " of the " + handler + " pod").isFalse();
    assertThat(ctrd.shims()).as("shims of the " + handler + " pod still running").isEmpty();
    assertThat(cgroups.stream().filter(Files::exists)).as("cgroups of the " + handler + " pod").isEmpty();
    assertThat(dirs.stream().filter(Files::exists)).as("directories of the " + handler + " pod").isEmpty();
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(l -> l.split(" ")[4])
        .filter(m -> m.startsWith(ctrd.dir + "/"))).as("mounts under " + ctrd.dir + " after the " + handler + " pod").isEmpty();
    Set<String> stateAfter = entries(runtimeRoot);
    stateAfter.removeAll(stateBefore);
    assertThat(stateAfter).as("new in " + runtimeRoot + " after the " + handler + " pod was removed").isEmpty();
  }

  /** Where the handler's runtime keeps its state for the CRI's namespace. */
  private static Path runtimeRoot(String handler) {
    Path root = handler.equals("runc") ? ctrd.runcRoot() : ctrd.jruncShimRoot();
    return root.resolve(PrivateContainerd.CRI_NAMESPACE);
  }

  /** Process {@code pid} is in cgroup {@code CGROUP_PARENT/id}, as the CRI asked (cgroupfs driver). */
  private static void assertInCgroup(long pid, String id) throws IOException {
    String cgroups = Files.readString(Path.of("/proc/" + pid + "/cgroup"));
    assertThat(cgroups).as("/proc/" + pid + "/cgroup").contains(":" + CGROUP_PARENT + "/" + id + "\n");
  }

  /** The host's file of the container's memory limit: v1's memory hierarchy, else v2's memory.max. */
  private static Path memoryLimitFile(String id) {
    Path v1 = Path.of("/sys/fs/cgroup/memory").resolve(CGROUP_PARENT.substring(1)).resolve(id);
    if (Files.isDirectory(v1)) return v1.resolve("memory.limit_in_bytes");
    return Path.of("/sys/fs/cgroup").resolve(CGROUP_PARENT.substring(1)).resolve(id).resolve("memory.max");
  }

  private static Void awaitLogLine(Path log, Pattern line) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      if (lines.stream().anyMatch(l -> line.matcher(l).matches())) return null;
      if (System.nanoTime() > end) throw new AssertionError("no line " + line + " in " + log + " within 10 s: " + lines);
      Thread.sleep(50);
    }
  }

  /** The {@code "pid"} of a verbose status's {@code info} JSON. */
  private static long pid(String infoJson) {
    assertThat(infoJson).as("verbose status info").isNotNull();
    Matcher m = PID.matcher(infoJson);
    assertThat(m.find()).as("a pid in " + infoJson).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static boolean alive(long pid) {
    try {
      // a zombie is dead: only its parent's wait is missing
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().noneMatch(l -> l.startsWith("State:") && l.contains("Z"));
    } catch (IOException gone) {
      return false;
    }
  }

  private static Set<String> entries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return new TreeSet<>();
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  // ---- steps and their report ----------------------------------------------------------------

  @FunctionalInterface
  private interface Step<T> {
    T run() throws Exception;
  }

  /** Runs one step of a handler's pod, records its outcome and time; a failure names the step and handler. */
  private static <T> T step(String handler, String name, Step<T> step) throws Exception {
    long t0 = System.nanoTime();
    try {
      T result = step.run();
      REPORT.add(handler + ": " + name + ": ok (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms)");
      return result;
    } catch (Exception | AssertionError e) {
      REPORT.add(handler + ": " + name + ": FAILED (" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms): "
          + String.valueOf(e.getMessage()).replaceAll("\\s*\n\\s*", " "));
      throw new AssertionError("handler " + handler + ", step " + name + ": " + e.getMessage() + "\ncontainerd's log:\n" + ctrd.logTail(), e);
    }
  }

  private static void quietly(Step<?> step) {
    try {
      step.run();
    } catch (Exception | AssertionError ignored) {
      // clean-up after a failure already reported
    }
  }

  // ---- the gRPC client ---------------------------------------------------------------------

  /**
   * A client of the CRI on containerd's unix socket: unary calls by method name, without
   * generated service stubs (the request's and response's protobuf classes are enough; the
   * wire names are {@code runtime.v1.RuntimeService/METHOD}).
   */
  static final class Cri implements AutoCloseable {
    private static final String RUNTIME = "runtime.v1.RuntimeService";
    private static final String IMAGES = "runtime.v1.ImageService";
    private final ManagedChannel channel;

    Cri(Path socket) {
      channel = Grpc.newChannelBuilder("unix://" + socket, InsecureChannelCredentials.create()).build();
    }

    VersionResponse version() {
      return call("Version", VersionRequest.newBuilder().setVersion("v1").build(), VersionResponse.getDefaultInstance());
    }

    boolean imageKnown(String name) {
      ImageStatusResponse r = call(IMAGES, "ImageStatus", ImageStatusRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(name)).build(),
          ImageStatusResponse.getDefaultInstance());
      return r.hasImage() && !r.getImage().getId().isEmpty();
    }

    PodSandboxStatusResponse podStatus(String id) {
      return call("PodSandboxStatus", PodSandboxStatusRequest.newBuilder().setPodSandboxId(id).setVerbose(true).build(),
          PodSandboxStatusResponse.getDefaultInstance());
    }

    ContainerStatusResponse containerStatus(String id) {
      return call("ContainerStatus", ContainerStatusRequest.newBuilder().setContainerId(id).setVerbose(true).build(),
          ContainerStatusResponse.getDefaultInstance());
    }

    <Q extends Message, R extends Message> R call(String method, Q request, R responseType) {
      return call(RUNTIME, method, request, responseType);
    }

    /** One unary call; a failure says the call, the request and the status containerd gave. */
    <Q extends Message, R extends Message> R call(String service, String method, Q request, R responseType) {
      @SuppressWarnings("unchecked")
      Parser<Q> requestParser = (Parser<Q>) request.getParserForType();
      @SuppressWarnings("unchecked")
      Parser<R> responseParser = (Parser<R>) responseType.getParserForType();
      MethodDescriptor<Q, R> descriptor = MethodDescriptor.<Q, R>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
          .setRequestMarshaller(marshaller(requestParser))
          .setResponseMarshaller(marshaller(responseParser))
          .build();
      try {
        return ClientCalls.blockingUnaryCall(channel, descriptor, CallOptions.DEFAULT.withDeadlineAfter(60, TimeUnit.SECONDS), request);
      } catch (StatusRuntimeException e) {
        throw new StatusRuntimeException(Status.fromCode(e.getStatus().getCode()).withDescription(service + "/" + method
            + "{" + TextFormat.shortDebugString(request) + "}: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription()));
      }
    }

    private static <T extends Message> MethodDescriptor.Marshaller<T> marshaller(Parser<T> parser) {
      return new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(T value) {
          return value.toByteString().newInput();
        }

        @Override
        public T parse(InputStream stream) {
          try {
            return parser.parseFrom(stream);
          } catch (InvalidProtocolBufferException e) {
            throw Status.INTERNAL.withDescription("unparsable response: " + e.getMessage()).withCause(e).asRuntimeException();
          }
        }
      };
    }

    /**
     * Waits until the CRI plugin serves, which it does once it has initialised after containerd
     * answers ctr, and sees the imported images (through containerd's events): 30 s at most.
     */
    void awaitImages(PrivateContainerd ctrd) throws IOException, InterruptedException {
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (true) {
        try {
          version();
          if (imageKnown(BusyboxImage.NAME) && imageKnown(BusyboxImage.SANDBOX_NAME)) return;
        } catch (StatusRuntimeException notYet) {
          if (System.nanoTime() > end) throw new AssertionError("the CRI plugin did not serve within 30 s: " + notYet + "\n" + ctrd.logTail(), notYet);
        }
        if (System.nanoTime() > end) throw new AssertionError("the CRI plugin does not see the imported images within 30 s\n" + ctrd.logTail());
        Thread.sleep(100);
      }
    }

    @Override
    public void close() throws InterruptedException {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
