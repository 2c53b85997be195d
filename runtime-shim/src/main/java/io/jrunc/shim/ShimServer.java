package io.jrunc.shim;

import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.host.ChildReaper;
import io.jrunc.shim.ttrpc.TtrpcServer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.logging.Logger;

/**
 * The long-running shim ({@code serve}, started detached by {@code start}): its own session, a
 * child subreaper (orphans of its containers come to it, not to init), a ttrpc server on the
 * group's socket, one warm {@link ContainerRuntime} for every task of the group. It leaves when
 * containerd calls Shutdown and no task is left. Containers never depend on it: they are
 * reparented if it dies, and {@code delete} cleans up after it.
 */
final class ShimServer {
  private static final Logger LOG = Logger.getLogger(ShimServer.class.getName());

  private ShimServer() {}

  /** The JVM's CPU time so far, for the debug log: what a cold start costs the node. */
  private static String cpu() {
    return "CPU time so far: " + ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis() + " ms").orElse("?");
  }

  /** containerd's -debug, or JRUNC_SHIM_DEBUG=1 in its environment: FINE logs, and the log kept. */
  static boolean debug(ShimFlags flags) {
    return flags.debug() || "1".equals(System.getenv("JRUNC_SHIM_DEBUG"));
  }

  static void run(ShimFlags flags) throws IOException {
    ChildReaper.newSession(); // false: already a session leader
    ChildReaper.becomeSubreaper();

    Path root = ShimPaths.stateRoot(flags.namespace());
    Files.createDirectories(root);
    ContainerRuntime runtime = ContainerRuntime.open(root);
    Path sock = Path.of(flags.socket());
    Files.createDirectories(sock.getParent());
    Files.deleteIfExists(sock);
    ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    listener.bind(UnixDomainSocketAddress.of(sock));
    Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-------"));
    Path pidFile = ShimPaths.pidFile(sock, flags.namespace());
    Files.writeString(pidFile, ProcessHandle.current().pid() + "\n");

    // SIGTERM (a stop of the node, a kill by an admin): no socket or pid file of a dead server
    // is left to look alive; the containers carry on without it (containerd's delete cleans up)
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Files.deleteIfExists(pidFile);
        Files.deleteIfExists(sock);
      } catch (IOException ignored) {
        // exiting anyway
      }
    }, "remove-socket"));
    // The launcher's `start` reads stdout until EOF: "ready" then the end of the stream say that
    // containerd may connect now (no polling of the socket). close() on fd 1 points it at
    // /dev/null (the JDK never leaves 0-2 closed), so nothing later holds the launcher's pipe.
    System.out.print("ready\n");
    System.out.flush();
    System.out.close();
    ChildReaper reaper = ChildReaper.start(true); // a subreaper: orphans too
    EventPublisher events = new EventPublisher(flags.publishBinary(), flags.address(), flags.namespace());
    // Not a daemon (a thread made by a virtual thread would be one): the events still queued
    // (TaskDelete) must reach containerd before the JVM ends.
    Runnable shutdown = () -> Thread.ofPlatform().daemon(false).name("shutdown").start(() -> {
      LOG.info("shutdown: no task left");
      LOG.fine(ShimServer::cpu);
      events.drain(10_000);
      try {
        Files.deleteIfExists(sock);
        Files.deleteIfExists(pidFile);
        // a clean exit leaves no log behind (kept with -debug, and always after a crash)
        String log = System.getenv("JRUNC_SHIM_LOG");
        if (!debug(flags) && log != null && !log.isEmpty()) Files.deleteIfExists(Path.of(log));
      } catch (IOException e) {
        LOG.warning("shutdown: " + e.getMessage());
      }
      try {
        Thread.sleep(20); // the Shutdown reply is on its way
      } catch (InterruptedException ignored) {
        // exiting anyway
      }
      System.exit(0);
    });
    TaskService service = new TaskService(runtime, reaper, events, shutdown);
    TtrpcServer server = new TtrpcServer();
    service.register(server);

    LOG.info("serving on " + sock + " (pid " + ProcessHandle.current().pid() + ", state root " + root + ")");
    LOG.fine(ShimServer::cpu);
    server.serve(listener);
  }
}
