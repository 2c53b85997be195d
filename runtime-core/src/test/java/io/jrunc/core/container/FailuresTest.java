package io.jrunc.core.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.api.ContainerException;
import io.jrunc.core.api.ContainerExistsException;
import io.jrunc.core.api.ContainerNotFoundException;
import io.jrunc.core.api.InvalidConfigException;
import io.jrunc.core.api.InvalidStateException;
import io.jrunc.core.api.MalformedStateException;
import io.jrunc.core.api.SetupException;
import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.rootfs.RootfsConfigException;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.SysException;
import org.junit.jupiter.api.Test;

/** The one translation of lower exceptions into the API's: same sentence, typed, errno kept. */
class FailuresTest {
  @Test
  void aSystemCallFailureKeepsItsSentenceOperationPathAndErrno() {
    SysException s = new SysException("mount proc on", "/run/x/rootfs/proc", Errno.EPERM);
    ContainerException e = Failures.translate(s);
    assertThat(e).isInstanceOf(SetupException.class).hasMessage(s.getMessage()).hasCause(s);
    SetupException se = (SetupException) e;
    assertThat(se.errno()).isEqualTo(Errno.EPERM);
    assertThat(se.operation()).isEqualTo("mount proc on");
    assertThat(se.path()).isEqualTo("/run/x/rootfs/proc");
  }

  @Test
  void configErrorsOfLowerLayersBecomeInvalidConfig() {
    assertThat(Failures.translate(new RootfsConfigException("mounts[0]: bad")))
        .isInstanceOf(InvalidConfigException.class).hasMessage("config.json: mounts[0]: bad");
  }

  @Test
  void apiExceptionsPassAndTheRestIsASetupFailureWithoutErrno() {
    ContainerExistsException exists = new ContainerExistsException("x");
    assertThat(Failures.translate(exists)).isSameAs(exists);
    ContainerException c = Failures.translate(new CgroupException("linux.resources.x: no"));
    assertThat(c).isInstanceOf(SetupException.class).hasMessage("linux.resources.x: no");
    assertThat(((SetupException) c).errno()).isZero();
  }

  /** Compiles only while ContainerException is sealed: an embedder's switch needs no default. */
  static String kind(ContainerException e) {
    return switch (e) {
      case ContainerExistsException x -> "exists";
      case ContainerNotFoundException x -> "not found";
      case InvalidConfigException x -> "config";
      case InvalidStateException x -> "state";
      case MalformedStateException x -> "malformed";
      case SetupException x -> "setup";
    };
  }

  @Test
  void theKindsAreAClosedSet() {
    assertThat(kind(Failures.translate(new SysException("open", "/x", Errno.ENOENT)))).isEqualTo("setup");
  }
}
