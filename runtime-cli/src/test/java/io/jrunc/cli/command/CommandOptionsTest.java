package io.jrunc.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.cli.args.ArgParser;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.cli.args.UsageException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The typed option records the lead wires to runtime-core. */
class CommandOptionsTest {
  private static ParsedArgs parse(String command, String... args) throws UsageException {
    Command c = Commands.find(command);
    return ArgParser.parse(c.flags(), List.of(args), c.stopParsingAfter());
  }

  private static Path abs(String p) {
    return Path.of(p).toAbsolutePath().normalize();
  }

  @Test
  void createMakesPathsAbsoluteLikeRunc() throws Exception {
    var o =
        CreateCommand.Options.of(
            parse("create", "-b", "bundle", "--pid-file", "p.pid", "--console-socket", "/s",
                "--no-pivot", "--preserve-fds", "2", "c1"));
    assertThat(o.id()).isEqualTo("c1");
    assertThat(o.bundle()).isEqualTo(abs("bundle"));
    assertThat(o.pidFile()).isEqualTo(abs("p.pid"));
    assertThat(o.consoleSocket()).isEqualTo(Path.of("/s"));
    assertThat(o.pidfdSocket()).isNull();
    assertThat(o.noPivot()).isTrue();
    assertThat(o.noNewKeyring()).isFalse();
    assertThat(o.preserveFds()).isEqualTo(2);
    assertThat(CreateCommand.Options.of(parse("create", "c1")).bundle()).isEqualTo(abs("."));
    assertThatThrownBy(() -> CreateCommand.Options.of(parse("create")))
        .hasMessage("jrunc: \"create\" requires exactly 1 argument(s)");
    assertThatThrownBy(() -> CreateCommand.Options.of(parse("create", "--preserve-fds", "-1", "c")))
        .hasMessageContaining("preserve-fds");
  }

  @Test
  void runAddsDetachKeep() throws Exception {
    var o = RunCommand.Options.of(parse("run", "-d", "--keep", "c1"));
    assertThat(o.detach()).isTrue();
    assertThat(o.keep()).isTrue();
    assertThat(o.noSubreaper()).isFalse();
    assertThat(o.create().id()).isEqualTo("c1");
  }

  @Test
  void execKeepsTheCommandLine() throws Exception {
    var o =
        ExecCommand.Options.of(
            parse("exec", "-t", "-e", "A=1", "-e", "B=2", "-u", "1000:1000", "--cap",
                "CAP_KILL", "ID", "sh", "-c", "ls -l"));
    assertThat(o.id()).isEqualTo("ID");
    assertThat(o.args()).containsExactly("sh", "-c", "ls -l");
    assertThat(o.tty()).isTrue();
    assertThat(o.env()).containsExactly("A=1", "B=2");
    assertThat(o.user()).isEqualTo("1000:1000");
    assertThat(o.caps()).containsExactly("CAP_KILL");
    var p = ExecCommand.Options.of(parse("exec", "--process", "proc.json", "-d", "ID"));
    assertThat(p.process()).isEqualTo(abs("proc.json"));
    assertThat(p.args()).isEmpty();
    // neither -p nor a command: no usage error (exit 1) but exec's own failure (255), as runc
    var none = ExecCommand.Options.of(parse("exec", "ID"));
    assertThatThrownBy(() -> ExecCommand.process(none, null)).isNotInstanceOf(io.jrunc.cli.args.UsageException.class)
        .hasMessageContaining("exec args cannot be empty");
  }

  @Test
  void killDefaultsToSigterm() throws Exception {
    assertThat(KillCommand.Options.of(parse("kill", "c")).signal()).isEqualTo(15);
    var o = KillCommand.Options.of(parse("kill", "--all", "c", "9"));
    assertThat(o.signal()).isEqualTo(9);
    assertThat(KillCommand.Options.of(parse("kill", "c", "SIGKILL")).signal()).isEqualTo(9);
    assertThat(KillCommand.Options.of(parse("kill", "c", "hup")).signal()).isEqualTo(1);
    assertThatThrownBy(() -> KillCommand.Options.of(parse("kill", "c", "SIGFOO")))
        .hasMessage("unknown signal \"SIGFOO\"");
    assertThat(o.all()).isTrue();
    assertThatThrownBy(() -> KillCommand.Options.of(parse("kill", "c", "9", "x")))
        .hasMessage("jrunc: \"kill\" requires a maximum of 2 argument(s)");
  }

  @Test
  void listAndPsFormats() throws Exception {
    assertThat(ListCommand.Options.of(parse("list")).json()).isFalse();
    assertThat(ListCommand.Options.of(parse("list", "-f", "json", "-q")))
        .isEqualTo(new ListCommand.Options(true, true));
    assertThatThrownBy(() -> ListCommand.Options.of(parse("list", "--format", "yaml")))
        .hasMessageContaining("invalid format option");
    var ps = PsCommand.Options.of(parse("ps", "-f", "json", "c", "-ef"));
    assertThat(ps.json()).isTrue();
    assertThat(ps.psArgs()).containsExactly("-ef");
  }

  @Test
  void updateFieldsAreTypedAndAbsentMeansUnchanged() throws Exception {
    var o =
        UpdateCommand.Options.of(
            parse("update", "--memory", "512m", "--memory-swap", "-1", "--cpu-quota", "-1",
                "--cpu-period", "100000", "--pids-limit", "42", "--blkio-weight", "500",
                "--cpuset-cpus", "0-1", "c"));
    assertThat(o.memory()).isEqualTo(512L << 20);
    assertThat(o.memorySwap()).isEqualTo(-1L);
    assertThat(o.cpuQuota()).isEqualTo(-1L);
    assertThat(o.cpuPeriod()).isEqualTo(100_000L);
    assertThat(o.pidsLimit()).isEqualTo(42L);
    assertThat(o.blkioWeight()).isEqualTo(500);
    assertThat(o.cpusetCpus()).isEqualTo("0-1");
    assertThat(o.cpuShares()).isNull();
    assertThat(o.resources()).isNull();
    assertThat(o.kernelMemory()).isNull();
    assertThatThrownBy(() -> UpdateCommand.Options.of(parse("update", "--cpu-period", "x", "c")))
        .hasMessageContaining("cpu-period");
    assertThatThrownBy(() -> UpdateCommand.Options.of(parse("update", "--memory", "lots", "c")))
        .hasMessageContaining("memory");
  }

  @Test
  void byteSizesFollowGoUnits() {
    assertThat(OptionValues.parseBytes("1024")).isEqualTo(1024L);
    assertThat(OptionValues.parseBytes("1k")).isEqualTo(1024L);
    assertThat(OptionValues.parseBytes("1.5g")).isEqualTo(3L << 29);
    assertThat(OptionValues.parseBytes("2GiB")).isEqualTo(2L << 30);
    assertThat(OptionValues.parseBytes("10MB")).isEqualTo(10L << 20);
    assertThat(OptionValues.parseBytes("-1")).isEqualTo(-1L);
    assertThat(OptionValues.parseBytes("-2")).isNull();
    assertThat(OptionValues.parseBytes("m")).isNull();
    assertThat(OptionValues.parseBytes("99999999999p")).isNull();
  }

  @Test
  void eventsInterval() throws Exception {
    var o = EventsCommand.Options.of(parse("events", "--stats", "c"));
    assertThat(o.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.stats()).isTrue();
    assertThatThrownBy(() -> EventsCommand.Options.of(parse("events", "--interval", "0s", "c")))
        .hasMessageContaining("greater than 0");
  }

  @Test
  void signalsByNumberAndName() throws Exception {
    assertThat(Signals.parse("15")).isEqualTo(15);
    assertThat(Signals.parse("TERM")).isEqualTo(15);
    assertThat(Signals.parse("SIGTERM")).isEqualTo(15);
    assertThat(Signals.parse("sigchld")).isEqualTo(17);
    assertThat(Signals.parse("CLD")).isEqualTo(17);
    assertThat(Signals.parse("Kill")).isEqualTo(9);
    // not upper-case ASCII: Locale.ROOT's upper case, as always (U+017F, the long s, is an S)
    assertThat(Signals.parse("\u017Figterm")).isEqualTo(15);
    assertThat(Signals.parse("WINCH")).isEqualTo(28);
    assertThat(Signals.parse("SIGRTMIN")).isEqualTo(34);
    assertThat(Signals.parse("RTMIN+3")).isEqualTo(37); // systemd's shutdown signal
    assertThat(Signals.parse("SIGRTMAX-1")).isEqualTo(63);
    assertThat(Signals.parse("64")).isEqualTo(64);
    assertThat(Signals.parse("0")).isZero(); // runc: checks the container runs, signals nothing
    for (String bad : new String[] {"65", "-9", "RTMIN+31", "RTMAX+1", "RTMIN-1", "", "SIG", "9x"}) {
      assertThatThrownBy(() -> Signals.parse(bad)).as(bad).isInstanceOf(UsageException.class);
    }
  }

  @Test
  void listRendersLikeRunc() {
    var a =
        new io.jrunc.spec.State("1.3.0", "web", "running", 4242, "/b/web", null, "/b/web/rootfs",
            "2026-11-25T10:44:55.123456789Z", "root");
    var b =
        new io.jrunc.spec.State("1.3.0", "a-much-longer-container-id", "stopped", 0, "/b/x", null,
            "/b/x/rootfs", "2026-11-25T10:45:00Z", "root");
    String table = ListCommand.render(List.of(a, b), new ListCommand.Options(false, false));
    assertThat(table)
        .isEqualTo(
            "ID                           PID         STATUS      BUNDLE      CREATED                          OWNER\n"
                + "web                          4242        running     /b/web      2026-11-25T10:44:55.123456789Z   root\n"
                + "a-much-longer-container-id   0           stopped     /b/x        2026-11-25T10:45:00Z             root\n");
    // no containers: the header only, as runc prints it
    assertThat(ListCommand.render(List.of(), new ListCommand.Options(false, false)))
        .isEqualTo("ID          PID         STATUS      BUNDLE      CREATED     OWNER\n");
    assertThat(ListCommand.render(List.of(a, b), new ListCommand.Options(false, true)))
        .isEqualTo("web\na-much-longer-container-id\n");
    assertThat(ListCommand.render(List.of(), new ListCommand.Options(true, false))).isEqualTo("null\n");
    assertThat(ListCommand.render(List.of(a), new ListCommand.Options(true, false)))
        .isEqualTo(
            "[{\"ociVersion\":\"1.3.0\",\"id\":\"web\",\"pid\":4242,\"status\":\"running\","
                + "\"bundle\":\"/b/web\",\"rootfs\":\"/b/web/rootfs\","
                + "\"created\":\"2026-11-25T10:44:55.123456789Z\",\"owner\":\"root\"}]\n");
  }

  @Test
  void psRendersLikeRunc() throws Exception {
    var json = new PsCommand.Options("c", true, List.of());
    assertThat(PsCommand.render(List.of(12, 34), json)).isEqualTo("[12,34]\n");
    assertThat(PsCommand.render(List.of(), json)).isEqualTo("null\n");
    String ps =
        "UID          PID    PPID  C STIME TTY          TIME CMD\n"
            + "root           1       0  0 10:00 ?        00:00:01 /sbin/init\n"
            + "root          12       1  0 10:00 ?        00:00:00 sh -c x\n"
            + "root         120       1  0 10:00 ?        00:00:00 other\n";
    assertThat(PsCommand.filter(ps, List.of(12)))
        .isEqualTo(
            "UID          PID    PPID  C STIME TTY          TIME CMD\n"
                + "root          12       1  0 10:00 ?        00:00:00 sh -c x\n");
    assertThatThrownBy(() -> PsCommand.filter("USER CMD\nroot x\n", List.of(1)))
        .hasMessage("couldn't find PID field in ps output");
    // the real ps(1): our own pid is found in `ps -ef`
    int self = (int) ProcessHandle.current().pid();
    String table = PsCommand.render(List.of(self), new PsCommand.Options("c", false, List.of()));
    assertThat(table.lines().toList()).hasSize(2);
    assertThat(table).contains(" " + self + " ");
  }

  @Test
  void updateRequestFromFlagsFileOrStdin(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    var none = new java.io.ByteArrayInputStream(new byte[0]);
    var r =
        UpdateCommand.request(
            UpdateCommand.Options.of(parse("update", "--memory", "1g", "--pids-limit", "5", "c")),
            none);
    assertThat(r.resources().memory().limit()).isEqualTo(1L << 30);
    assertThat(r.resources().memory().swap()).isNull();
    assertThat(r.resources().pids().limit()).isEqualTo(5L);
    assertThat(r.resources().cpu()).isNull();
    assertThat(r.resources().blockIO()).isNull();

    String json = "{\"memory\":{\"limit\":1048576},\"cpu\":{\"quota\":50000,\"period\":100000}}";
    var fromStdin =
        UpdateCommand.request(
            UpdateCommand.Options.of(parse("update", "-r", "-", "c")),
            new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(fromStdin.resources().memory().limit()).isEqualTo(1048576L);
    assertThat(fromStdin.resources().cpu().quota()).isEqualTo(50000L);
    Path file = dir.resolve("r.json");
    java.nio.file.Files.writeString(file, json);
    var fromFile =
        UpdateCommand.request(UpdateCommand.Options.of(parse("update", "--resources", file.toString(), "c")), none);
    assertThat(fromFile.resources()).isEqualTo(fromStdin.resources());

    assertThatThrownBy(
            () -> UpdateCommand.request(
                UpdateCommand.Options.of(parse("update", "-r", file.toString(), "--memory", "1m", "c")), none))
        .hasMessageContaining("cannot be combined");
    assertThatThrownBy(
            () -> UpdateCommand.request(UpdateCommand.Options.of(parse("update", "--kernel-memory", "1m", "c")), none))
        .hasMessageContaining("--kernel-memory is not supported");
    assertThatThrownBy(
            () -> UpdateCommand.request(UpdateCommand.Options.of(parse("update", "-r", dir.resolve("no").toString(), "c")), none))
        .hasMessageContaining("no such file or directory");
    assertThatThrownBy(
            () -> UpdateCommand.request(
                UpdateCommand.Options.of(parse("update", "-r", "-", "c")),
                new java.io.ByteArrayInputStream("{\"memory\":{\"limit\":\"x\"}}".getBytes())))
        .hasMessageContaining("decode resources from standard input");
  }

  @Test
  void execProcessFromTheConfigAndFlags() throws Exception {
    io.jrunc.spec.Spec config = io.jrunc.spec.DefaultSpecs.runcDefault(false);
    var o =
        ExecCommand.Options.of(
            parse("exec", "-e", "X=1", "-u", "1000:100", "-g", "10", "-c", "CAP_SYS_ADMIN",
                "--cwd", "/tmp", "--no-new-privs", "ID", "sh", "-c", "id"));
    io.jrunc.spec.Process p = ExecCommand.process(o, config);
    assertThat(p.args()).containsExactly("sh", "-c", "id");
    assertThat(p.terminal()).isFalse(); // the config's terminal=true is not inherited without -t
    assertThat(p.env()).endsWith("X=1").contains("TERM=xterm");
    assertThat(p.cwd()).isEqualTo("/tmp");
    assertThat(p.user().uid()).isEqualTo(1000L);
    assertThat(p.user().gid()).isEqualTo(100L);
    assertThat(p.user().additionalGids()).containsExactly(10L);
    assertThat(p.noNewPrivileges()).isTrue();
    assertThat(p.capabilities().bounding()).contains("CAP_KILL", "CAP_SYS_ADMIN");
    assertThat(p.capabilities().effective()).contains("CAP_SYS_ADMIN");
    assertThat(p.capabilities().permitted()).contains("CAP_SYS_ADMIN");
    assertThat(config.process().args()).containsExactly("sh"); // the config is not changed

    var uidOnly = ExecCommand.process(ExecCommand.Options.of(parse("exec", "-t", "-u", "7", "ID", "true")), config);
    assertThat(uidOnly.user().uid()).isEqualTo(7L);
    assertThat(uidOnly.user().gid()).isEqualTo(0L);
    assertThat(uidOnly.terminal()).isTrue();
    assertThatThrownBy(() -> ExecCommand.process(ExecCommand.Options.of(parse("exec", "-u", "bob", "ID", "true")), config))
        .hasMessageContaining("uid \"bob\"");
  }

  @Test
  void execProcessFromAFile(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path file = dir.resolve("process.json");
    java.nio.file.Files.writeString(
        file, "{\"args\":[\"ls\"],\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}}");
    var p = ExecCommand.process(ExecCommand.Options.of(parse("exec", "-p", file.toString(), "-t", "ID")), null);
    assertThat(p.args()).containsExactly("ls");
    assertThat(p.terminal()).isTrue();
    assertThatThrownBy(
            () -> ExecCommand.process(ExecCommand.Options.of(parse("exec", "-p", file.toString(), "--cwd", "/x", "ID")), null))
        .hasMessageContaining("--process cannot be combined");
    java.nio.file.Files.writeString(file, "{\"args\":[],\"cwd\":\"/\"}");
    assertThatThrownBy(() -> ExecCommand.process(ExecCommand.Options.of(parse("exec", "-p", file.toString(), "ID")), null))
        .isInstanceOf(io.jrunc.cli.CliException.class)
        .hasMessageContaining("process.json");
  }

  @Test
  void execCgroupArgumentsAsRuncReadsThem() throws Exception {
    assertThat(ExecCommand.subCgroups(List.of())).isEmpty();
    assertThat(ExecCommand.subCgroups(List.of("sub"))).containsExactly(java.util.Map.entry("", "sub"));
    assertThat(ExecCommand.subCgroups(List.of("memory:m", "cpu,cpuacct:c")))
        .containsExactly(java.util.Map.entry("memory", "m"), java.util.Map.entry("cpu", "c"),
            java.util.Map.entry("cpuacct", "c"));
    assertThatThrownBy(() -> ExecCommand.subCgroups(List.of("a", "memory:b")))
        .hasMessage("invalid --cgroup argument: a (missing <controller>: prefix)");
    assertThatThrownBy(() -> ExecCommand.subCgroups(List.of(",memory:b")))
        .hasMessage("invalid --cgroup argument: ,memory:b (empty <controller> prefix)");
    assertThatThrownBy(() -> ExecCommand.subCgroups(List.of("memory:a", "cpu,memory:b")))
        .hasMessage("invalid --cgroup argument(s): controller memory specified multiple times");
  }
}
