package io.jrunc.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.ExistsFailure;
import io.jrunc.core.failure.InvalidConfigFailure;
import io.jrunc.core.failure.InvalidStateFailure;
import io.jrunc.core.failure.MalformedStateFailure;
import io.jrunc.core.failure.NotFoundFailure;
import io.jrunc.core.failure.SetupFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.sys.Errno;
import io.jrunc.core.sys.SysException;
import io.jrunc.spec.validate.Problem;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API edge's one translation: each failure kind of the container layer becomes exactly one
 * public exception with the same sentence (the CLI prints it: runc's words), cause, details and
 * the failure's stack trace.
 */
class ApiFailuresTest {
  @Test
  void setupKeepsSentenceOperationPathErrnoAndTheLowerCause() {
    SysException s = new SysException("mount proc on", "/run/x/rootfs/proc", Errno.EPERM);
    SetupFailure f = new SetupFailure(s.getMessage(), s.operation(), s.target(), s.errno(), s);
    ContainerException e = ApiFailures.translate(f);
    assertThat(e).isInstanceOf(SetupException.class).hasMessage(s.getMessage()).hasCause(s);
    SetupException se = (SetupException) e;
    assertThat(se.errno()).isEqualTo(Errno.EPERM);
    assertThat(se.operation()).isEqualTo("mount proc on");
    assertThat(se.path()).isEqualTo("/run/x/rootfs/proc");
    assertThat(e.getStackTrace()).as("the trace shows where the runtime failed").isEqualTo(f.getStackTrace());
    assertThat(se.saidOnStderr()).isFalse();
  }

  /** A failed step that init also said on the process's stderr (the execve after start) stays said. */
  @Test
  void aStepSaidOnStderrStaysSaid() {
    var step = new io.jrunc.core.spawn.StepFailedException("exec /bin/x", 7, -Errno.ENOEXEC, true);
    ContainerException e = ApiFailures.translate(io.jrunc.core.failure.Failures.translate(step));
    assertThat(e).isInstanceOf(SetupException.class).hasMessage("exec /bin/x: exec format error (ENOEXEC)");
    assertThat(((SetupException) e).saidOnStderr()).isTrue();
    e = ApiFailures.translate(io.jrunc.core.failure.Failures.translate(new io.jrunc.core.spawn.StepFailedException("exec /bin/x", 7, -Errno.ENOEXEC)));
    assertThat(((SetupException) e).saidOnStderr()).isFalse();
  }

  /** The translation is an instanceof chain (no run-time spun switch class): it must know every kind. */
  @Test
  void everyFailureKindIsMapped() {
    assertThat(Arrays.stream(ContainerFailure.class.getPermittedSubclasses()).map(Class::getSimpleName))
        .as("a new kind of ContainerFailure: map it in ApiFailures.translate, then add it here")
        .containsExactlyInAnyOrder("ExistsFailure", "NotFoundFailure", "InvalidConfigFailure", "InvalidStateFailure",
            "MalformedStateFailure", "SetupFailure");
    assertThat(ApiFailures.translate(new MalformedStateFailure("state.json of x: not JSON", null)))
        .isInstanceOf(MalformedStateException.class).hasMessage("state.json of x: not JSON");
  }

  @Test
  void runcsWordsForExistsAndNotFound() {
    assertThat(ApiFailures.translate(new ExistsFailure("x"))).isInstanceOf(ContainerExistsException.class)
        .hasMessage("container with given ID already exists");
    assertThat(ApiFailures.translate(new NotFoundFailure("x"))).isInstanceOf(ContainerNotFoundException.class)
        .hasMessage("container does not exist");
  }

  @Test
  void invalidStateCarriesTheStatus() {
    ContainerException e = ApiFailures.translate(new InvalidStateFailure("container not running", Status.STOPPED));
    assertThat(e).isInstanceOf(InvalidStateException.class).hasMessage("container not running");
    assertThat(((InvalidStateException) e).status()).isEqualTo(ContainerStatus.STOPPED);
  }

  @Test
  void everyInternalStatusHasTheApiStatusOfTheSameName() {
    assertThat(Arrays.stream(Status.values()).map(ApiFailures::status).map(ContainerStatus::name))
        .containsExactly(Arrays.stream(Status.values()).map(Status::name).toArray(String[]::new));
    assertThat(Arrays.stream(ContainerStatus.values()).map(ContainerStatus::name))
        .containsExactly(Arrays.stream(Status.values()).map(Status::name).toArray(String[]::new));
  }

  @Test
  void invalidConfigKeepsEveryLineAndPointer() {
    InvalidConfigFailure f = new InvalidConfigFailure("config.json",
        List.of(new Problem("/linux/sysctl/vm.swappiness", "not namespaced"), new Problem("", "no console socket")));
    InvalidConfigException e = (InvalidConfigException) ApiFailures.translate(f);
    assertThat(e).hasMessage(f.getMessage());
    assertThat(e.problems()).isEqualTo(f.problems());
    assertThat(e.details()).isEqualTo(f.details());
  }

  @Test
  void anEmbeddersProblemLinesAreSplitIntoPointerAndMessageAsInside() {
    InvalidConfigException e = new InvalidConfigException(List.of(
        "config.json: /linux/netDevices: unable to move network devices", "no console socket"));
    assertThat(e.details()).containsExactly(new Problem("/linux/netDevices", "unable to move network devices"),
        new Problem("", "no console socket"));
    assertThat(e).hasMessage("config.json: /linux/netDevices: unable to move network devices\nno console socket");
  }

  @Test
  void malformedStateKeepsItsCause() {
    IOException cause = new IOException("bad json");
    ContainerException e = ApiFailures.translate(new MalformedStateFailure("state.json: /pid: not a number", cause));
    assertThat(e).isInstanceOf(MalformedStateException.class).hasMessage("state.json: /pid: not a number").hasCause(cause);
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
  void eachFailureKindBecomesItsOwnPublicKind() {
    List<ContainerFailure> all = List.of(new ExistsFailure("x"), new NotFoundFailure("x"),
        new InvalidConfigFailure("bad"), new InvalidStateFailure("no", Status.RUNNING),
        new MalformedStateFailure("bad", null), new SetupFailure("open /x", 2, null));
    assertThat(all.stream().map(ApiFailures::translate).map(ApiFailuresTest::kind))
        .containsExactly("exists", "not found", "config", "state", "malformed", "setup");
  }
}
