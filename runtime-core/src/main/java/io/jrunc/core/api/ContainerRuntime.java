package io.jrunc.core.api;

import io.jrunc.core.container.Lifecycle;
import io.jrunc.core.state.StateStore;
import io.jrunc.core.sys.Libc;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The entry point for embedders: a runtime over one state directory.
 *
 * <pre>{@code
 * ContainerRuntime rt = ContainerRuntime.open(Path.of("/run/jrunc"));
 * Container c = rt.create("web", CreateOptions.bundle(Path.of("/srv/bundle")));
 * c.start();
 * int exit = c.waitFor();
 * c.delete(false);
 * }</pre>
 *
 * Containers created here are children of this JVM, so {@link Container#waitFor()} gets their
 * exit status; containers loaded by id (created by another process) are watched through /proc.
 */
public final class ContainerRuntime {
  private final Lifecycle lifecycle;

  private ContainerRuntime(Path root, Boolean rootless) {
    this.lifecycle = new Lifecycle(new StateStore(root), rootless);
  }

  /** A runtime over {@code root} (runc's {@code --root}). */
  public static ContainerRuntime open(Path root) {
    return new ContainerRuntime(root, null);
  }

  /**
   * A runtime over {@code root} with runc's {@code --rootless}: TRUE tolerates cgroup permission
   * errors (the container then runs without a cgroup when it asks for no limits), FALSE makes them
   * fatal, null decides by the effective uid (auto).
   */
  public static ContainerRuntime open(Path root, Boolean rootless) {
    return new ContainerRuntime(root, rootless);
  }

  /** A runtime over runc's default root for this user: /run/jrunc, or $XDG_RUNTIME_DIR/jrunc. */
  public static ContainerRuntime openDefault() {
    return new ContainerRuntime(StateStore.defaultRoot(Libc.geteuid() == 0), null);
  }

  public Path root() {
    return lifecycle.store().root();
  }

  /** Creates a container: its init is set up and waits for {@link Container#start()}. */
  public Container create(String id, CreateOptions options) throws ContainerException {
    Lifecycle.Created c = lifecycle.create(id, options);
    return new Container(lifecycle, id, c.record().pid(), true, c.callerPipes());
  }

  /** A handle on an existing container. */
  public Container get(String id) throws ContainerException {
    var r = lifecycle.load(id);
    return new Container(lifecycle, id, r.pid(), false, new int[] {-1, -1, -1});
  }

  /** The ids of all containers under this root. */
  public List<String> list() throws ContainerException {
    try {
      return lifecycle.ids();
    } catch (IOException e) {
      throw new SetupException("list " + root() + ": " + e.getMessage(), 0, e);
    }
  }

  /** Internal: the lifecycle the CLI drives. */
  public Lifecycle lifecycle() {
    return lifecycle;
  }
}
