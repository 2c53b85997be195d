package io.jrunc.shim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.core.api.ContainerNotFoundException;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.host.ChildReaper;
import io.jrunc.shim.proto.CloseIORequest;
import io.jrunc.shim.proto.CreateTaskRequest;
import io.jrunc.shim.proto.DeleteRequest;
import io.jrunc.shim.proto.ExecProcessRequest;
import io.jrunc.shim.proto.KillRequest;
import io.jrunc.shim.proto.StartRequest;
import io.jrunc.shim.proto.StateRequest;
import io.jrunc.shim.proto.Status;
import io.jrunc.shim.proto.WaitRequest;
import io.jrunc.shim.ttrpc.RpcException;
import io.jrunc.spec.DefaultSpecs;
import io.jrunc.spec.Json;
import io.jrunc.testsupport.RequiresRoot;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The task service in this JVM on the real kernel, driven as containerd drives it (its
 * requests, its FIFOs), without containerd: what the containers print arrives in the FIFOs,
 * exit statuses reach Wait, CloseIO ends an exec's stdin, and Delete leaves no jrunc state.
 */
@RequiresRoot("runs containers with namespaces and cgroups")
class TaskServiceTest {
  @TempDir Path dir;
  private TaskService service;
  private ContainerRuntime runtime;
  private final String prefix = "shimunit-" + ProcessHandle.current().pid() + "-";
  private final String cgroupParent = "/shimunit-" + ProcessHandle.current().pid();

  @BeforeEach
  void setUp() throws Exception {
    runtime = ContainerRuntime.open(dir.resolve("state"));
    // no publish binary and no TTRPC_ADDRESS in a test: events are dropped
    service = new TaskService(runtime, ChildReaper.start(true), new EventPublisher("", "", "test"), () -> { });
  }

  @AfterEach
  void removeContainersAndCgroups() throws Exception {
    // a failed test leaves its container running: kill and delete it, then the parent cgroup
    for (String id : runtime.list()) {
      try {
        runtime.delete(id, true);
      } catch (Exception e) {
        System.err.println("cleanup of " + id + ": " + e);
      }
    }
    for (Path hierarchy : Files.newDirectoryStream(Path.of("/sys/fs/cgroup"))) {
      Path p = hierarchy.resolve(cgroupParent.substring(1));
      if (Files.isDirectory(p)) Files.delete(p);
    }
  }

  @Test
  void runsAContainerWithFifosAndReportsItsExit() throws Exception {
    String id = prefix + "run";
    Path bundle = bundle(id, "sh", "-c", "echo out-line; echo err-line >&2; exit 3");
    Path out = fifo("out");
    Path err = fifo("err");
    CompletableFuture<String> stdout = reader(out);
    CompletableFuture<String> stderr = reader(err);
    int pid = service.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
        .setStdout(out.toString()).setStderr(err.toString()).build()).getPid();
    assertThat(pid).isPositive();
    assertThat(service.state(StateRequest.newBuilder().setId(id).build()).getStatus()).isEqualTo(Status.CREATED);
    service.start(StartRequest.newBuilder().setId(id).build());
    assertThat(waitExit(id, "")).isEqualTo(3);
    // the shim's own FIFO ends are closed at the exit: the readers see EOF
    assertThat(stdout.get(10, TimeUnit.SECONDS)).isEqualTo("out-line\n");
    assertThat(stderr.get(10, TimeUnit.SECONDS)).isEqualTo("err-line\n");
    var st = service.state(StateRequest.newBuilder().setId(id).build());
    assertThat(st.getStatus()).isEqualTo(Status.STOPPED);
    assertThat(st.getExitStatus()).isEqualTo(3);
    assertThatThrownBy(() -> service.kill(KillRequest.newBuilder().setId(id).setSignal(9).build()))
        .isInstanceOf(RpcException.class).hasMessageContaining("process already finished")
        .satisfies(e -> assertThat(((RpcException) e).code()).isEqualTo(RpcException.NOT_FOUND));
    var del = service.delete(DeleteRequest.newBuilder().setId(id).build());
    assertThat(del.getExitStatus()).isEqualTo(3);
    assertThat(del.getPid()).isEqualTo(pid);
    assertThatThrownBy(() -> runtime.state(id)).isInstanceOf(ContainerNotFoundException.class);
    assertThatThrownBy(() -> service.state(StateRequest.newBuilder().setId(id).build()))
        .isInstanceOf(RpcException.class).hasMessageContaining("not found");
  }

  @Test
  void aBinaryLoggerGetsStdoutAndStderrAsFds3And4() throws Exception {
    String id = prefix + "logger";
    Path bundle = bundle(id, "sh", "-c", "echo to-out; echo to-err >&2; exit 4");
    Path logger = dir.resolve("logger.sh");
    // containerd's logging-binary protocol: fds 3 and 4 are the streams, closing 5 says "ready"
    Files.writeString(logger, "#!/bin/sh\n[ \"$1\" = dest ] || exit 9\nexec 5>&-\n"
        + "cat <&3 > \"$2.out\" &\ncat <&4 > \"$2.err\"\nwait\n"
        // written whole, then renamed: the test polls for the name and must not read it half-made
        + "echo \"$CONTAINER_ID\" > \"$2.tmp\" && mv \"$2.tmp\" \"$2.done\"\n");
    Files.setPosixFilePermissions(logger, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Path dest = dir.resolve("log");
    service.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString())
        .setStdout("binary://" + logger + "?dest=" + dest).setStderr("binary://" + logger + "?dest=" + dest).build());
    service.start(StartRequest.newBuilder().setId(id).build());
    assertThat(waitExit(id, "")).isEqualTo(4);
    Path done = Path.of(dest + ".done");
    for (int i = 0; i < 100 && !Files.exists(done); i++) Thread.sleep(100);
    assertThat(Files.readString(done)).as("the logger saw EOF on both streams").isEqualTo(id + "\n");
    assertThat(Files.readString(Path.of(dest + ".out"))).isEqualTo("to-out\n");
    assertThat(Files.readString(Path.of(dest + ".err"))).isEqualTo("to-err\n");
    service.delete(DeleteRequest.newBuilder().setId(id).build());
  }

  @Test
  void execGetsStdinUntilCloseIoAndKillReachesInit() throws Exception {
    String id = prefix + "exec";
    Path bundle = bundle(id, "sleep", "1000");
    service.create(CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build());
    service.start(StartRequest.newBuilder().setId(id).build());

    Path in = fifo("exec-in");
    Path out = fifo("exec-out");
    CompletableFuture<String> stdout = reader(out);
    ObjectNode proc = (ObjectNode) Json.toTree(DefaultSpecs.runcDefault().process());
    ArrayNode args = proc.putArray("args");
    List.of("sh", "-c", "cat; echo after-eof").forEach(args::add);
    proc.put("terminal", false);
    service.exec(ExecProcessRequest.newBuilder().setId(id).setExecId("e1")
        .setStdin(in.toString()).setStdout(out.toString())
        .setSpec(com.google.protobuf.Any.newBuilder()
            .setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Process")
            .setValue(com.google.protobuf.ByteString.copyFrom(Json.mapper().writeValueAsBytes(proc))))
        .build());
    service.start(StartRequest.newBuilder().setId(id).setExecId("e1").build());
    try (FileOutputStream w = new FileOutputStream(in.toFile())) {
      w.write("typed\n".getBytes(StandardCharsets.UTF_8));
      w.flush();
      // the FIFO stays open on this side: only CloseIO can end the process's stdin
      Thread.sleep(200);
      service.closeIo(CloseIORequest.newBuilder().setId(id).setExecId("e1").setStdin(true).build());
      assertThat(waitExit(id, "e1")).isZero();
    }
    assertThat(stdout.get(10, TimeUnit.SECONDS)).isEqualTo("typed\nafter-eof\n");
    service.delete(DeleteRequest.newBuilder().setId(id).setExecId("e1").build());

    // Update: containerd's LinuxResources JSON in an Any, checked in the cgroup from the host
    service.update(io.jrunc.shim.proto.UpdateTaskRequest.newBuilder().setId(id)
        .setResources(com.google.protobuf.Any.newBuilder()
            .setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/LinuxResources")
            .setValue(com.google.protobuf.ByteString.copyFromUtf8("{\"memory\":{\"limit\":50331648}}")))
        .build());
    Path v1 = Path.of("/sys/fs/cgroup/memory" + cgroupParent + "/" + id + "/memory.limit_in_bytes");
    Path v2 = Path.of("/sys/fs/cgroup" + cgroupParent + "/" + id + "/memory.max");
    assertThat(Files.readString(Files.exists(v1) ? v1 : v2).trim()).isEqualTo("50331648");
    // annotations only: nothing to change, no error
    service.update(io.jrunc.shim.proto.UpdateTaskRequest.newBuilder().setId(id).putAnnotations("a", "b").build());

    assertThatThrownBy(() -> service.delete(DeleteRequest.newBuilder().setId(id).build()))
        .hasMessageContaining("kill it first");
    service.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());
    assertThat(waitExit(id, "")).isEqualTo(137);
    service.delete(DeleteRequest.newBuilder().setId(id).build());
    assertThatThrownBy(() -> runtime.state(id)).isInstanceOf(ContainerNotFoundException.class);
  }

  /**
   * containerd's CRI under a kubelet with the systemd cgroup driver writes
   * {@code <slice>:cri-containerd:<id>} and cannot tell this shim (not runc's) which driver that
   * is: the shim takes systemd's. On systemd with cgroup v2 (the VM lane) the container runs in
   * its scope; elsewhere the systemd driver's own refusal comes back, not the cgroupfs driver's
   * "run with --systemd-cgroup", and nothing is left.
   */
  @Test
  void aSystemdSliceCgroupsPathSelectsTheSystemdDriver() throws Exception {
    String id = prefix + "sd";
    Path bundle = bundle(id, "sleep", "1000");
    Path config = bundle.resolve("config.json");
    ObjectNode cfg = (ObjectNode) Json.mapper().readTree(config.toFile());
    ((ObjectNode) cfg.get("linux")).put("cgroupsPath", "system.slice:cri-containerd:" + id);
    Json.mapper().writeValue(config.toFile(), cfg);
    CreateTaskRequest req = CreateTaskRequest.newBuilder().setId(id).setBundle(bundle.toString()).build();
    boolean systemdV2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) && Files.exists(Path.of("/run/systemd/private"));
    if (systemdV2) {
      int pid = service.create(req).getPid();
      service.start(StartRequest.newBuilder().setId(id).build());
      // seen from the host: inside, its own cgroup namespace shows "0::/"
      assertThat(Files.readString(Path.of("/proc/" + pid + "/cgroup")))
          .contains("0::/system.slice/cri-containerd-" + id + ".scope");
      service.kill(KillRequest.newBuilder().setId(id).setSignal(9).build());
      assertThat(waitExit(id, "")).isEqualTo(137);
      service.delete(DeleteRequest.newBuilder().setId(id).build());
      assertThat(Path.of("/sys/fs/cgroup/system.slice/cri-containerd-" + id + ".scope")).doesNotExist();
    } else {
      assertThatThrownBy(() -> service.create(req)).isInstanceOf(RpcException.class)
          .hasMessageContaining("create " + id + ": ")
          .hasMessageContaining("systemd")
          .hasMessageNotContaining("run with --systemd-cgroup");
    }
    assertThat(runtime.list()).doesNotContain(id);
  }

  /** Wait, bounded: a process that never exits fails the test instead of hanging it. */
  private int waitExit(String id, String execId) throws Exception {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return service.waitFor(WaitRequest.newBuilder().setId(id).setExecId(execId).build()).getExitStatus();
      } catch (RpcException e) {
        throw new IllegalStateException(e);
      }
    }, r -> Thread.ofPlatform().daemon().start(r)).get(10, TimeUnit.SECONDS);
  }

  private Path bundle(String id, String... args) throws IOException {
    Path b = dir.resolve(id);
    Path rootfs = b.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("bin"));
    for (String d : List.of("proc", "sys", "dev", "tmp")) Files.createDirectories(rootfs.resolve(d));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
    for (String a : List.of("sh", "cat", "echo", "sleep")) Files.createSymbolicLink(rootfs.resolve("bin/" + a), Path.of("busybox"));
    ObjectNode cfg = (ObjectNode) Json.toTree(DefaultSpecs.runcDefault());
    ObjectNode proc = (ObjectNode) cfg.get("process");
    proc.put("terminal", false);
    ArrayNode a = proc.putArray("args");
    for (String s : args) a.add(s);
    ((ObjectNode) cfg.get("linux")).put("cgroupsPath", cgroupParent + "/" + id);
    Files.write(b.resolve("config.json"), Json.mapper().writeValueAsBytes(cfg));
    return b;
  }

  private Path fifo(String name) throws Exception {
    Path p = dir.resolve(name);
    assertThat(new ProcessBuilder("mkfifo", p.toString()).start().waitFor()).isZero();
    return p;
  }

  /** Reads a FIFO to EOF on its own thread (the open blocks until the shim opens it). */
  private static CompletableFuture<String> reader(Path fifo) {
    return CompletableFuture.supplyAsync(() -> {
      try (InputStream in = new FileInputStream(fifo.toFile())) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, r -> Thread.ofPlatform().daemon().start(r));
  }
}
