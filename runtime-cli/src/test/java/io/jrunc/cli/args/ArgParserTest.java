package io.jrunc.cli.args;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.cli.GlobalOptions;
import io.jrunc.cli.command.Command;
import io.jrunc.cli.command.Commands;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgParserTest {
  private static ParsedArgs parse(String command, String... args) throws UsageException {
    Command c = Commands.find(command);
    return ArgParser.parse(c.flags(), List.of(args), c.stopParsingAfter());
  }

  @Test
  void globalOptionsStopAtTheSubcommand() throws Exception {
    ParsedArgs g =
        ArgParser.parse(
            GlobalOptions.FLAGS,
            List.of("--root", "/run/x", "--log=/tmp/l.json", "--log-format", "json", "--debug",
                "create", "--bundle", "b", "id"),
            0);
    assertThat(g.string("root")).isEqualTo("/run/x");
    assertThat(g.string("log")).isEqualTo("/tmp/l.json");
    assertThat(g.string("log-format")).isEqualTo("json");
    assertThat(g.bool("debug")).isTrue();
    assertThat(g.positionals()).containsExactly("create", "--bundle", "b", "id");
  }

  @Test
  void oneOrTwoDashesAndBothValueForms() throws Exception {
    for (List<String> form :
        List.of(
            List.of("--bundle", "/b", "id"),
            List.of("--bundle=/b", "id"),
            List.of("-bundle", "/b", "id"),
            List.of("-b", "/b", "id"),
            List.of("-b=/b", "id"),
            List.of("id", "-b", "/b"))) {
      ParsedArgs a = parse("create", form.toArray(String[]::new));
      assertThat(a.string("bundle")).as(form.toString()).isEqualTo("/b");
      assertThat(a.positionals()).as(form.toString()).containsExactly("id");
    }
  }

  @Test
  void boolFlagsTakeNoSeparateValueButAcceptAnExplicitOne() throws Exception {
    ParsedArgs a = parse("delete", "-f", "id");
    assertThat(a.bool("force")).isTrue();
    a = parse("delete", "--force=false", "id");
    assertThat(a.bool("force")).isFalse();
    assertThat(a.isSet("force")).isTrue();
    // "true" after a bool flag is a positional argument, as in Go's flag package
    a = parse("delete", "--force", "true");
    assertThat(a.positionals()).containsExactly("true");
    assertThatThrownBy(() -> parse("delete", "--force=maybe", "id"))
        .isInstanceOf(UsageException.class)
        .hasMessage("invalid boolean value \"maybe\" for -force: parse error");
  }

  @Test
  void unknownFlagUsesGoFlagWording() {
    assertThatThrownBy(() -> parse("state", "-x", "id"))
        .isInstanceOf(UsageException.class)
        .hasMessage("flag provided but not defined: -x");
    assertThatThrownBy(() -> parse("kill", "--bogus=1", "id"))
        .hasMessage("flag provided but not defined: -bogus");
    assertThatThrownBy(() -> ArgParser.parse(GlobalOptions.FLAGS, List.of("--nope", "state"), 0))
        .hasMessage("flag provided but not defined: -nope");
  }

  @Test
  void missingValueAndBadSyntax() {
    assertThatThrownBy(() -> parse("create", "id", "--pid-file"))
        .hasMessage("flag needs an argument: -pid-file");
    assertThatThrownBy(() -> parse("create", "---bundle", "x", "id"))
        .hasMessage("bad flag syntax: ---bundle");
  }

  @Test
  void intAndDurationValuesAreCheckedWhileParsing() throws Exception {
    assertThat(parse("create", "--preserve-fds", "3", "id").integer("preserve-fds", 0)).isEqualTo(3);
    assertThat(parse("create", "id").integer("preserve-fds", -1)).isZero(); // the default "0"
    assertThatThrownBy(() -> parse("create", "--preserve-fds", "x", "id"))
        .hasMessage("invalid value \"x\" for flag -preserve-fds: parse error");
    assertThat(parse("events", "--interval", "1m30s", "id").duration("interval"))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(parse("events", "id").duration("interval")).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> parse("events", "--interval", "5", "id"))
        .hasMessage("invalid value \"5\" for flag -interval: parse error");
  }

  @Test
  void repeatableFlagsKeepEveryValueInOrder() throws Exception {
    ParsedArgs a = parse("exec", "-e", "A=1", "--env", "B=2", "--env=C=3", "id", "sh");
    assertThat(a.list("env")).containsExactly("A=1", "B=2", "C=3");
    assertThat(a.count("env")).isEqualTo(3);
    // podman passes --leave-running twice
    a = parse("checkpoint", "--leave-running", "--leave-running", "id");
    assertThat(a.bool("leave-running")).isTrue();
    assertThat(a.count("leave-running")).isEqualTo(2);
    // a single-valued flag given twice: the last wins (Go)
    a = parse("create", "-b", "one", "-b", "two", "id");
    assertThat(a.string("bundle")).isEqualTo("two");
  }

  @Test
  void execStopsAtTheCommandAfterTheId() throws Exception {
    ParsedArgs a = parse("exec", "-t", "ID", "sh", "-c", "ls -l");
    assertThat(a.bool("tty")).isTrue();
    assertThat(a.positionals()).containsExactly("ID", "sh", "-c", "ls -l");
    // flags between the id and the command are still parsed
    a = parse("exec", "ID", "-e", "X=1", "env", "-u", "X");
    assertThat(a.list("env")).containsExactly("X=1");
    assertThat(a.string("user")).isNull();
    assertThat(a.positionalsFrom(1)).containsExactly("env", "-u", "X");
    // ps hands the rest to ps(1)
    a = parse("ps", "--format", "table", "ID", "-o", "pid,comm");
    assertThat(a.positionals()).containsExactly("ID", "-o", "pid,comm");
  }

  @Test
  void otherCommandsParseFlagsAfterPositionals() throws Exception {
    ParsedArgs a = parse("kill", "ID", "KILL", "--all");
    assertThat(a.bool("all")).isTrue();
    assertThat(a.positionals()).containsExactly("ID", "KILL");
  }

  @Test
  void doubleDashEndsFlagsAndSingleDashIsAnArgument() throws Exception {
    ParsedArgs a = parse("kill", "--", "-weird-id", "9");
    assertThat(a.positionals()).containsExactly("-weird-id", "9");
    a = parse("update", "--resources", "-", "ID");
    assertThat(a.string("resources")).isEqualTo("-");
    a = parse("update", "-r", "-", "ID");
    assertThat(a.string("resources")).isEqualTo("-");
  }

  @Test
  void helpIsRecognisedEverywhere() throws Exception {
    assertThat(parse("state", "--help").helpRequested()).isTrue();
    assertThat(parse("create", "-h").helpRequested()).isTrue();
    assertThat(ArgParser.parse(GlobalOptions.FLAGS, List.of("-h"), 0).helpRequested()).isTrue();
  }

  @Test
  void everyRuncCommandAndFlagIsKnown() throws Exception {
    // runc's command table; each command's flags per `runc CMD --help` (1.1-1.3)
    String[][] table = {
      {"create", "--bundle", "x", "--console-socket", "s", "--pidfd-socket", "p", "--pid-file",
        "f", "--no-pivot", "--no-new-keyring", "--preserve-fds", "1", "id"},
      {"run", "-b", "x", "-d", "--keep", "--no-subreaper", "--pid-file", "f", "id"},
      {"start", "id"},
      {"state", "id"},
      {"kill", "-a", "id", "9"},
      {"delete", "-f", "id"},
      {"list", "-f", "json", "-q"},
      {"ps", "-f", "json", "id"},
      {"exec", "--console-socket", "s", "--pidfd-socket", "p", "--cwd", "/", "-e", "A=b", "-t",
        "-u", "0:0", "-g", "10", "-p", "p.json", "-d", "--pid-file", "f", "--process-label", "l",
        "--apparmor", "a", "--no-new-privs", "-c", "CAP_KILL", "--preserve-fds", "2",
        "--cgroup", "sub", "--ignore-paused", "id"},
      {"pause", "id"},
      {"resume", "id"},
      {"update", "-r", "f", "--blkio-weight", "100", "--cpu-period", "1", "--cpu-quota", "2",
        "--cpu-burst", "3", "--cpu-share", "4", "--cpu-rt-period", "5", "--cpu-rt-runtime", "6",
        "--cpu-idle", "1", "--cpuset-cpus", "0", "--cpuset-mems", "0", "--memory", "1g",
        "--memory-reservation", "1m", "--memory-swap", "-1", "--pids-limit", "10",
        "--l3-cache-schema", "L3:0=f", "--mem-bw-schema", "MB:0=50", "--kernel-memory", "1",
        "id"},
      {"events", "--interval", "1s", "--stats", "id"},
      {"checkpoint", "--image-path", "i", "--work-path", "w", "--parent-path", "p",
        "--leave-running", "--tcp-established", "--tcp-skip-in-flight", "--link-remap",
        "--ext-unix-sk", "--shell-job", "--lazy-pages", "--status-fd", "3", "--page-server",
        "a:1", "--file-locks", "--pre-dump", "--manage-cgroups-mode", "soft", "--empty-ns",
        "network", "--auto-dedup", "id"},
      {"restore", "--console-socket", "s", "--image-path", "i", "--work-path", "w",
        "--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks",
        "--manage-cgroups-mode", "soft", "-b", "b", "-d", "--pid-file", "p", "--no-subreaper",
        "--no-pivot", "--empty-ns", "net", "--auto-dedup", "--lazy-pages", "--lsm-profile",
        "apparmor:x", "--lsm-mount-context", "c", "id"},
      {"spec", "-b", "x", "--rootless"},
      {"features"},
      {"validate", "--bundle", "x"},
      {"help", "state"},
    };
    for (String[] row : table) {
      String[] args = java.util.Arrays.copyOfRange(row, 1, row.length);
      assertThat(Commands.find(row[0])).as(row[0]).isNotNull();
      parse(row[0], args); // must not throw
    }
    assertThat(Commands.NAMES).hasSize(table.length);
  }
}
