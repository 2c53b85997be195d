package io.jrunc.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.cli.args.ArgParser;
import io.jrunc.cli.args.UsageException;
import io.jrunc.cli.log.LogFormat;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GlobalOptionsTest {
  private static GlobalOptions parse(String... args) throws UsageException {
    return GlobalOptions.from(ArgParser.parse(GlobalOptions.FLAGS, List.of(args), 0));
  }

  @Test
  void defaults() throws Exception {
    GlobalOptions g = parse("state");
    assertThat(g.root()).isEqualTo(GlobalOptions.defaultRoot());
    assertThat(g.rootExplicit()).isFalse();
    assertThat(g.log()).isNull();
    assertThat(g.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(g.debug()).isFalse();
    assertThat(g.rootless()).isNull();
    assertThat(g.cgroupManager()).isNull();
    assertThat(g.systemdCgroup()).isFalse();
    assertThat(g.criu()).isEqualTo("criu");
  }

  @Test
  void everyRuncAndCrunGlobalOption() throws Exception {
    GlobalOptions g =
        parse("--root", "rel/dir", "--log", "/tmp/x.log", "--log-format", "json", "--debug",
            "--systemd-cgroup", "--rootless", "true", "--cgroup-manager", "disabled", "--criu",
            "/usr/sbin/criu", "--log-level", "warning", "state", "id");
    assertThat(g.root()).isEqualTo(Path.of("rel/dir").toAbsolutePath().normalize());
    assertThat(g.rootExplicit()).isTrue();
    assertThat(g.log()).isEqualTo(Path.of("/tmp/x.log"));
    assertThat(g.logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(g.debug()).isTrue();
    assertThat(g.systemdCgroup()).isTrue();
    assertThat(g.rootless()).isTrue();
    assertThat(g.cgroupManager()).isEqualTo(GlobalOptions.CgroupManager.DISABLED);
    assertThat(g.criu()).isEqualTo("/usr/sbin/criu");
    assertThat(g.logLevel()).isEqualTo("warning");
    assertThat(parse("--rootless=false").rootless()).isFalse();
    assertThat(parse("--rootless", "auto").rootless()).isNull();
  }

  /** The exact lower-case spellings take a shortcut past toLowerCase; any case still works as before. */
  @Test
  void valuesAreCaseInsensitive() throws Exception {
    assertThat(parse("--log-format", "JSON").logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(parse("--log-format", "Text").logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(parse("--rootless", "AUTO").rootless()).isNull();
    assertThat(parse("--rootless", "True").rootless()).isTrue();
    assertThat(parse("--rootless", "F").rootless()).isFalse();
  }

  @Test
  void badValuesAreUsageErrors() {
    assertThatThrownBy(() -> parse("--log-format", "yaml"))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("invalid log-format: yaml");
    assertThatThrownBy(() -> parse("--rootless", "maybe")).hasMessageContaining("--rootless");
    assertThatThrownBy(() -> parse("--cgroup-manager", "x")).hasMessageContaining("cgroup-manager");
    assertThatThrownBy(() -> parse("--root", "/")).hasMessage("Option --root argument should not be set to /");
    assertThatThrownBy(() -> parse("--log-level", "loud")).hasMessageContaining("log-level");
  }
}
