package io.jrunc.core.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.cgroup.CgroupException;
import io.jrunc.core.rootfs.RootfsConfigException;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.SysException;
import org.junit.jupiter.api.Test;

/**
 * The one translation of lower exceptions into the container layer's failure kinds: same
 * sentence, typed, errno kept. (The API's translation of these kinds is ApiFailuresTest.)
 */
class FailuresTest {
  @Test
  void aSystemCallFailureKeepsItsSentenceOperationPathAndErrno() {
    SysException s = new SysException("mount proc on", "/run/x/rootfs/proc", Errno.EPERM);
    ContainerFailure e = Failures.translate(s);
    assertThat(e).isInstanceOf(SetupFailure.class).hasMessage(s.getMessage()).hasCause(s);
    SetupFailure se = (SetupFailure) e;
    assertThat(se.errno()).isEqualTo(Errno.EPERM);
    assertThat(se.operation()).isEqualTo("mount proc on");
    assertThat(se.path()).isEqualTo("/run/x/rootfs/proc");
  }

  @Test
  void configErrorsOfLowerLayersBecomeInvalidConfig() {
    assertThat(Failures.translate(new RootfsConfigException("mounts[0]: bad")))
        .isInstanceOf(InvalidConfigFailure.class).hasMessage("config.json: mounts[0]: bad");
  }

  @Test
  void failuresPassAndTheRestIsASetupFailureWithoutErrno() {
    ExistsFailure exists = new ExistsFailure("x");
    assertThat(Failures.translate(exists)).isSameAs(exists);
    ContainerFailure c = Failures.translate(new CgroupException("linux.resources.x: no"));
    assertThat(c).isInstanceOf(SetupFailure.class).hasMessage("linux.resources.x: no");
    assertThat(((SetupFailure) c).errno()).isZero();
  }
}
