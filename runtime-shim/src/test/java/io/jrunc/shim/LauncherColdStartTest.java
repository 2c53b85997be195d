package io.jrunc.shim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/containerd-shim-jrunc-v2's {@code start} when no server of the group runs: it starts one
 * and waits on the server's stdout ("ready", then EOF) instead of polling. The "JVM" here is a
 * shell script standing in for {@code JRUNC_JAVA_HOME/bin/java}, so each way a server can go
 * (ready, dead, hung) is played exactly; the real server is ContainerdShimTest's.
 */
class LauncherColdStartTest {
  @TempDir Path dir;
  private Path serverPid;

  @AfterEach
  void killFakeServer() throws IOException {
    if (serverPid != null && Files.exists(serverPid)) {
      ProcessHandle.of(Long.parseLong(Files.readString(serverPid).strip())).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void readyServerAnswersAtOnceAndLeavesNoWatchdog() throws Exception {
    // ready after 0.3 s, then serves on with stdout on /dev/null (as the server's close() does)
    Result r = start("echo $$ >" + pidFile() + "; sleep 0.3; echo ready; exec sleep 60 >/dev/null", 37);
    assertThat(r.exit).as("stderr: %s", r.err).isZero();
    assertThat(r.out).isEqualTo("unix://" + r.sock);
    assertThat(Files.readString(dir.resolve("bundle/address"))).isEqualTo("unix://" + r.sock);
    assertThat(r.millis).isLessThan(5_000);
    // the watchdog and its sleep were stopped (no process is left waiting to kill the server)
    Thread.sleep(200);
    assertThat(ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").matches(".*sleep 37$")).count()).isZero();
  }

  @Test
  void serverThatDiesBeforeListeningFailsStartWithItsLog() throws Exception {
    Result r = start("echo 'no JDK here' >&2; exit 3", 37);
    assertThat(r.exit).isEqualTo(1);
    assertThat(r.err).contains("the shim server exited before listening on " + r.sock).contains("no JDK here");
    // told by the pipe's EOF, not by the watchdog
    assertThat(r.millis).isLessThan(5_000);
    assertThat(dir.resolve("bundle/address")).doesNotExist();
  }

  @Test
  void serverThatNeverListensIsKilledAfterTheTimeout() throws Exception {
    Result r = start("echo $$ >" + pidFile() + "; exec sleep 60", 1);
    assertThat(r.exit).isEqualTo(1);
    assertThat(r.err).contains("killed the server").contains("not listening on " + r.sock + " after 1 s");
    assertThat(r.millis).isBetween(900L, 10_000L);
    // killed: gone, or a zombie until whoever inherited it reaps it
    String state;
    try {
      state = Files.readString(Path.of("/proc", Files.readString(serverPid).strip(), "stat")).replaceFirst("^.*\\) ", "");
    } catch (NoSuchFileException e) {
      state = "gone";
    }
    assertThat(state).as("the hung server was killed").matches("(?s)(gone|Z).*");
  }

  private String pidFile() {
    serverPid = dir.resolve("server.pid");
    return serverPid.toString();
  }

  private record Result(int exit, String out, String err, long millis, Path sock) {}

  /** {@code start} of container c1 (its own group) with {@code script} as the server's JVM. */
  private Result start(String script, int timeoutSeconds) throws Exception {
    Path jdk = Files.createDirectories(dir.resolve("jdk/bin"));
    Path java = jdk.resolve("java");
    Files.writeString(java, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path jar = Files.createFile(dir.resolve("shim.jar"));
    Path bundle = Files.createDirectories(dir.resolve("bundle"));
    Files.writeString(bundle.resolve("config.json"), "{}");
    Path sockDir = Files.createDirectories(dir.resolve("s"));
    String address = "/run/containerd/containerd.sock";
    Path sock = sockDir.resolve(ShimPaths.socketHash(address, "k8s.io", "c1"));
    ProcessBuilder pb = new ProcessBuilder(Path.of("../bin/containerd-shim-jrunc-v2").toAbsolutePath().normalize().toString(),
        "-namespace", "k8s.io", "-address", address, "-publish-binary", "/usr/bin/containerd", "-id", "c1", "start")
        .directory(bundle.toFile());
    pb.environment().remove("JRUNC_SHIM_GROUP");
    pb.environment().remove("JRUNC_SHIM_JAVA_START");
    pb.environment().putAll(Map.of("JRUNC_SHIM_ROOT", dir.resolve("root").toString(),
        "JRUNC_SHIM_SOCKET_DIR", sockDir.toString(), "JRUNC_JAVA_HOME", dir.resolve("jdk").toString(),
        "JRUNC_SHIM_JAR", jar.toString(), "JRUNC_SHIM_START_TIMEOUT", Integer.toString(timeoutSeconds)));
    long t0 = System.nanoTime();
    Process p = pb.start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    long millis = (System.nanoTime() - t0) / 1_000_000;
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()),
        new String(p.getErrorStream().readAllBytes()), millis, sock);
  }
}
