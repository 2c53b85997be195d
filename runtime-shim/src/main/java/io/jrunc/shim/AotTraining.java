package io.jrunc.shim;

import com.google.protobuf.Empty;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.host.ChildReaper;
import io.jrunc.core.api.host.NativeAccess;
import io.jrunc.core.api.host.RootfsMounts;
import io.jrunc.shim.proto.CheckpointTaskRequest;
import io.jrunc.shim.proto.ConnectRequest;
import io.jrunc.shim.proto.CreateTaskRequest;
import io.jrunc.shim.proto.DeleteRequest;
import io.jrunc.shim.proto.DeleteResponse;
import io.jrunc.shim.proto.ForwardRequest;
import io.jrunc.shim.proto.KillRequest;
import io.jrunc.shim.proto.StartRequest;
import io.jrunc.shim.proto.StateRequest;
import io.jrunc.shim.proto.ShutdownRequest;
import io.jrunc.shim.proto.StatsRequest;
import io.jrunc.shim.proto.WaitRequest;
import io.jrunc.shim.ttrpc.RpcException;
import io.jrunc.shim.ttrpc.TtrpcClient;
import io.jrunc.shim.ttrpc.TtrpcServer;
import io.jrunc.spec.DefaultSpecs;
import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * The training run for the shim's AOT cache (JEP 483/514), as {@code io.jrunc.cli.AotTraining}
 * is for the CLI: bin/containerd-shim-jrunc-v2 runs it with {@code JRUNC_AOT_TRAIN=1}. It goes
 * through what a first container costs in a fresh shim: flags, grouping and the bundle's
 * config.json ({@code start}), the server's logging, the ttrpc server and client with every
 * message type, events forwarded over ttrpc, the task service's error paths, a create planned
 * only (no cgroup, no clone), and, as root with /bin/busybox, one real container created, started, waited for and deleted through the
 * service, under a cgroup parent of its own. Everything lives in a temporary directory it
 * removes.
 */
public final class AotTraining {
  private static final String NS = "jrunc-aot";

  private AotTraining() {}

  public static void main(String[] args) throws Exception {
    // the LambdaForms of the JDK's FFM initialisation, which each shim would generate at start
    NativeAccess.seedAotCache();
    Path tmp = Files.createTempDirectory("jrunc-shim-aot-");
    int failures = 0;
    try {
      ShimFlags f = ShimFlags.parse(new String[] {"-namespace", NS, "-address", "/run/containerd/containerd.sock",
          "-publish-binary", "/usr/bin/containerd", "-id", "c", "-bundle", tmp.toString(), "start"});
      Spec spec = DefaultSpecs.runcDefault();
      spec = spec.withProcess(spec.process().withTerminal(false));
      Files.writeString(tmp.resolve("config.json"), Json.writePretty(spec));
      ShimStart.group(null, f.namespace(), f.id(), Json.read(Files.readAllBytes(tmp.resolve("config.json")), Spec.class));
      ShimPaths.socket(f.address(), f.namespace(), "g");
      DeleteResponse.newBuilder().setExitStatus(137).build().toByteArray();

      // the server's logging as `serve` sets it up (debug on: FINE records are formatted too),
      // into nothing: the JDK's formatter and time-zone classes are otherwise loaded from the
      // runtime image by every server's first log record
      PrintStream err = System.err;
      System.setErr(new PrintStream(OutputStream.nullOutputStream()));
      Main.logging(true);
      System.setErr(err);
      Logger.getLogger(ShimServer.class.getName()).info("serving on " + tmp + " (AOT training)");

      // containerd's events service (TTRPC_ADDRESS): the task service forwards its events there
      TtrpcServer events = new TtrpcServer();
      events.register(EventPublisher.FORWARD_SERVICE, "Forward", p -> {
        ForwardRequest.parseFrom(p);
        return Empty.getDefaultInstance().toByteArray();
      });
      Path eventsSock = tmp.resolve("events");
      ServerSocketChannel eventsListener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      eventsListener.bind(UnixDomainSocketAddress.of(eventsSock));
      Thread.ofVirtual().start(() -> {
        try {
          events.serve(eventsListener);
        } catch (IOException ignored) {
          // closed at the end
        }
      });
      EventPublisher publisher = new EventPublisher("", "", NS, eventsSock);

      ContainerRuntime runtime = ContainerRuntime.open(tmp.resolve("root"));
      TaskService service = new TaskService(runtime, ChildReaper.start(true), publisher, () -> { });
      TtrpcServer server = new TtrpcServer();
      service.register(server);
      Path sock = tmp.resolve("s");
      ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      listener.bind(UnixDomainSocketAddress.of(sock));
      Thread.ofVirtual().start(() -> {
        try {
          server.serve(listener);
        } catch (IOException ignored) {
          // closed at the end
        }
      });
      try (TtrpcClient client = new TtrpcClient(sock)) {
        call(client, "Connect", ConnectRequest.newBuilder().setId("missing").build().toByteArray());
        call(client, "State", StateRequest.newBuilder().setId("missing").build().toByteArray());
        call(client, "Kill", KillRequest.newBuilder().setId("missing").setSignal(9).build().toByteArray());
        call(client, "Stats", StatsRequest.newBuilder().setId("missing").build().toByteArray());
        call(client, "Delete", DeleteRequest.newBuilder().setId("missing").build().toByteArray());
        call(client, "Checkpoint", CheckpointTaskRequest.newBuilder().setId("missing").build().toByteArray());
        call(client, "NoSuchMethod", new byte[0]);
        // create, planned only: spec, validation, cgroup layout, rootfs and program planning
        Path ctr = tmp.resolve("ctr");
        Files.createDirectories(ctr.resolve("rootfs/bin"));
        Files.createFile(ctr.resolve("rootfs/bin/sh")).toFile().setExecutable(true);
        Files.writeString(ctr.resolve("config.json"), Json.writePretty(spec));
        // create, planned only (validation, cgroup layout, rootfs and program planning, nothing
        // made); the task service's own create path is trained by the real container below
        try {
          ContainerRuntime.open(tmp.resolve("root")).plan("jrunc-aot-plan", CreateOptions.bundle(ctr));
        } catch (ContainerException e) {
          // the plan's failure (e.g. not root) is a path being trained too
        }
        if (canRunContainers()) failures += realContainer(client, tmp);
        publisher.drain(10_000); // the container's events forwarded
      } finally {
        listener.close();
        eventsListener.close();
      }
    } finally {
      deleteTree(tmp.toFile());
    }
    System.exit(failures);
  }

  /** A call whose failure (NOT_FOUND, UNIMPLEMENTED, ...) is the path being trained. */
  private static byte[] call(TtrpcClient c, String method, byte[] payload) throws IOException {
    try {
      return c.call(TaskService.SERVICE, method, payload);
    } catch (RpcException e) {
      return null;
    }
  }

  private static boolean canRunContainers() throws IOException {
    if (!new File("/bin/busybox").canExecute()) return false;
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) return line.split("\\s+")[2].equals("0");
    }
    return false;
  }

  /** create, start, state, wait, delete of `true` with its output to a FIFO; 0 when all worked. */
  private static int realContainer(TtrpcClient c, Path tmp) throws Exception {
    String parent = "jrunc-shim-aot-" + ProcessHandle.current().pid();
    Path bundle = tmp.resolve("busybox");
    // the image's files elsewhere, mounted on bundle/rootfs by the Create as containerd's
    // snapshot mounts are (a bind mount here; an overlay on an overlay /tmp may not work)
    Path rootfs = tmp.resolve("image");
    Files.createDirectories(bundle.resolve("rootfs"));
    for (String d : new String[] {"bin", "proc", "sys", "dev", "tmp"}) Files.createDirectories(rootfs.resolve(d));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
    Files.createSymbolicLink(rootfs.resolve("bin/true"), Path.of("busybox"));
    Spec spec = DefaultSpecs.runcDefault();
    spec = spec.withProcess(spec.process().withTerminal(false).withArgs(List.of("true")));
    spec = spec.withLinux(spec.linux().withCgroupsPath("/" + parent + "/c"));
    Files.writeString(bundle.resolve("config.json"), Json.writePretty(spec));
    Path out = tmp.resolve("out");
    int failures = 0;
    try {
      if (new ProcessBuilder("mkfifo", out.toString()).start().waitFor() != 0) return 1;
      String id = "jrunc-shim-aot";
      failures += c.call(TaskService.SERVICE, "Create", CreateTaskRequest.newBuilder().setId(id)
          .setBundle(bundle.toString()).setStdout(out.toString())
          .addRootfs(io.jrunc.shim.proto.Mount.newBuilder().setType("bind").setSource(rootfs.toString())
              .addOptions("rbind").addOptions("rw"))
          .build().toByteArray()) == null ? 1 : 0;
      c.call(TaskService.SERVICE, "Start", StartRequest.newBuilder().setId(id).build().toByteArray());
      c.call(TaskService.SERVICE, "State", StateRequest.newBuilder().setId(id).build().toByteArray());
      c.call(TaskService.SERVICE, "Wait", WaitRequest.newBuilder().setId(id).build().toByteArray());
      c.call(TaskService.SERVICE, "Delete", DeleteRequest.newBuilder().setId(id).build().toByteArray());
      c.call(TaskService.SERVICE, "Shutdown", ShutdownRequest.newBuilder().setId(id).build().toByteArray());
    } catch (RpcException | IOException e) {
      System.err.println("shim AOT training: real container: " + e.getMessage());
      failures++;
    } finally {
      RootfsMounts.unmountAll(bundle.resolve("rootfs")); // a failed Delete left it: not into deleteTree
      for (File h : new File("/sys/fs/cgroup").listFiles()) {
        new File(h, parent + "/c").delete();
        new File(h, parent).delete();
      }
    }
    return failures;
  }

  private static void deleteTree(File f) {
    File[] children = f.isDirectory() && !Files.isSymbolicLink(f.toPath()) ? f.listFiles() : null;
    if (children != null) {
      for (File c : children) deleteTree(c);
    }
    f.delete();
  }
}
