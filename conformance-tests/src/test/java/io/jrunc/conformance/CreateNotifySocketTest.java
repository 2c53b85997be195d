package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sd_notify passthrough through create's pipeline: the plan adds the bind mount of the notify
 * directory, which only acquire makes (in the state directory); with a new user namespace the
 * parent must open that bind source itself (the container's root cannot reach a 0700 state
 * root), so acquire plans the rootfs again once the directory exists. Checked from inside.
 */
@RequiresRoot("runs containers with namespaces and cgroups")
class CreateNotifySocketTest {
  @TempDir Path tmp;

  private Jrunc.Result run(Bundle b, String id) throws Exception {
    Path root = tmp.resolve("state");
    Files.createDirectories(root);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
    Jrunc j = new Jrunc(root);
    // NOTIFY_SOCKET names the host's socket; nothing reads it here (the container exits without READY)
    return j.runWith(Map.of("NOTIFY_SOCKET", tmp.resolve("host-notify.sock").toString()),
        "run", "--bundle", b.write().toString(), id);
  }

  private static Bundle shows(Bundle b) {
    return b.sh("test -S /run/notify/notify.sock && echo socket; echo $NOTIFY_SOCKET");
  }

  @Test
  void theContainerGetsTheNotifySocket() throws Exception {
    Bundle b = shows(Bundle.busybox(tmp.resolve("b")));
    b.linux().put("cgroupsPath", "/pipeline-notify-" + ProcessHandle.current().pid() + "/plain");
    Jrunc.Result r = run(b, "pipeline-notify-" + ProcessHandle.current().pid());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("socket\n/run/notify/notify.sock\n");
  }

  @Test
  void inANewUserNamespaceTooThroughTheReplannedRootfs() throws Exception {
    Bundle b = shows(Bundle.busybox(tmp.resolve("b")));
    b.linux().put("cgroupsPath", "/pipeline-notify-" + ProcessHandle.current().pid() + "/userns");
    b.addNamespace("user", null);
    for (String m : new String[] {"uidMappings", "gidMappings"}) {
      ((ArrayNode) b.linux().putArray(m)).addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
    }
    // the bundle must be reachable for the container's root (the state root stays 0700), and
    // the mount point exist: the container's root may not create it in a rootfs root owns
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(b.dir.resolve("rootfs/run/notify"));
    Jrunc.Result r = run(b, "pipeline-notify-userns-" + ProcessHandle.current().pid());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out()).isEqualTo("socket\n/run/notify/notify.sock\n");
  }
}
