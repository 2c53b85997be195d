package io.jrunc.shim;

import com.google.protobuf.Timestamp;
import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.ContainerNotFoundException;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.host.RootfsMounts;
import io.jrunc.shim.proto.DeleteResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * {@code delete}: containerd's clean-up of a container whose shim is gone (crashed, killed, or
 * never answered). Kills and deletes the container by id in jrunc's state root of the
 * namespace (state directory and cgroup removed), unmounts {@code <bundle>/rootfs}, and prints
 * a protobuf DeleteResponse with exit status 137 (SIGKILL), as runc's shim does.
 */
final class ShimDelete {
  private ShimDelete() {}

  static void run(ShimFlags flags) throws IOException {
    if (flags.namespace().isEmpty()) throw new IllegalArgumentException("delete: -namespace is required");
    if (flags.id().isEmpty()) throw new IllegalArgumentException("delete: -id is required");
    ContainerRuntime runtime = ContainerRuntime.open(ShimPaths.stateRoot(flags.namespace()));
    try {
      runtime.delete(flags.id(), true);
    } catch (ContainerNotFoundException e) {
      // nothing left of it in jrunc's state
    } catch (ContainerException e) {
      System.err.println("containerd-shim-jrunc-v2: delete " + flags.id() + ": " + e.getMessage());
    }
    RootfsMounts.unmountAll(Path.of(flags.bundleOrCwd()).resolve("rootfs"));
    Instant now = Instant.now();
    DeleteResponse r = DeleteResponse.newBuilder().setExitStatus(128 + 9)
        .setExitedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano())).build();
    r.writeTo(System.out);
    System.out.flush();
  }
}
