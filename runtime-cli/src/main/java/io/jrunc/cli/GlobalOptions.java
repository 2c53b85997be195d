package io.jrunc.cli;

import io.jrunc.cli.args.Flag;
import io.jrunc.cli.args.ParsedArgs;
import io.jrunc.cli.args.UsageException;
import io.jrunc.cli.log.LogFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The options given before the subcommand, as runc (and crun, for {@code --cgroup-manager})
 * spell them. Every value is kept, none silently dropped: commands that cannot honour one
 * (e.g. {@code --systemd-cgroup} on a machine without systemd) must reject it.
 *
 * @param root the state directory (absolute); {@code /run/jrunc}, or {@code
 *     $XDG_RUNTIME_DIR/jrunc} for a non-root user when that variable is set
 * @param rootExplicit true if {@code --root} was given
 * @param log the {@code --log} file, or null for stderr
 * @param logFormat {@code --log-format}
 * @param debug {@code --debug}
 * @param logLevel {@code --log-level} (crun's), or null; {@code --debug} wins
 * @param systemdCgroup {@code --systemd-cgroup}
 * @param rootless {@code --rootless}: TRUE, FALSE, or null for auto
 * @param cgroupManager {@code --cgroup-manager} (crun's), or null if not given
 * @param criu {@code --criu}, the CRIU binary (checkpoint/restore are not supported; kept so
 *     that a runc command line parses)
 */
public record GlobalOptions(
    Path root,
    boolean rootExplicit,
    Path log,
    LogFormat logFormat,
    boolean debug,
    String logLevel,
    boolean systemdCgroup,
    Boolean rootless,
    CgroupManager cgroupManager,
    String criu) {

  /** crun's {@code --cgroup-manager} values. */
  public enum CgroupManager {
    CGROUPFS,
    SYSTEMD,
    DISABLED
  }

  /** The global flag table, in help order. */
  public static final List<Flag> FLAGS =
      List.of(
          Flag.bool("debug", "enable debug logging"),
          Flag.string("log", "set the log file to write jrunc logs to (default is '/dev/stderr')"),
          Flag.string("log-format", "set the log format ('text' (default), or 'json')")
              .withDefault("text"),
          Flag.string("log-level", "set the log level ('error' (default), 'warning', 'info', 'debug')"),
          Flag.string(
              "root",
              "root directory for storage of container state (this should be located in tmpfs)"
                  + " (default: /run/jrunc, or $XDG_RUNTIME_DIR/jrunc when not root)"),
          Flag.string("criu", "path to the criu binary used for checkpoint and restore")
              .withDefault("criu"),
          Flag.bool(
              "systemd-cgroup",
              "enable systemd cgroup support, expects cgroupsPath to be of form"
                  + " \"slice:prefix:name\" for e.g. \"system.slice:jrunc:434234\""),
          Flag.string(
                  "rootless", "ignore cgroup permission errors ('true', 'false', or 'auto')")
              .withDefault("auto"),
          Flag.string("cgroup-manager", "cgroup manager ('cgroupfs', 'systemd' or 'disabled')"),
          Flag.bool("version", "print the version", "v"));

  /** Builds the options from the parsed global flags. */
  public static GlobalOptions from(ParsedArgs a) throws UsageException {
    LogFormat fmt = LogFormat.parse(a.string("log-format"));
    if (fmt == null) {
      throw new UsageException(
          "invalid log-format: " + a.string("log-format") + " (expected text or json)");
    }
    String logLevel = a.string("log-level");
    if (logLevel != null) {
      logLevel = logLevel.toLowerCase(Locale.ROOT);
      if (!List.of("error", "warning", "warn", "info", "debug", "trace").contains(logLevel)) {
        throw new UsageException("invalid log-level: " + a.string("log-level"));
      }
    }
    String rl = a.string("rootless");
    Boolean rootless =
        // (the default as is: toLowerCase(Locale.ROOT) initialises Locale on every CLI call)
        switch (rl.equals("auto") ? rl : rl.toLowerCase(Locale.ROOT)) {
          case "", "auto" -> null;
          case "true", "1", "t" -> Boolean.TRUE;
          case "false", "0", "f" -> Boolean.FALSE;
          default ->
              throw new UsageException(
                  "invalid --rootless value: " + a.string("rootless")
                      + " (expected true, false or auto)");
        };
    CgroupManager manager = null;
    String m = a.string("cgroup-manager");
    if (m != null) {
      manager =
          switch (m.toLowerCase(Locale.ROOT)) {
            case "cgroupfs" -> CgroupManager.CGROUPFS;
            case "systemd" -> CgroupManager.SYSTEMD;
            case "disabled" -> CgroupManager.DISABLED;
            default ->
                throw new UsageException(
                    "invalid --cgroup-manager value: " + m
                        + " (expected cgroupfs, systemd or disabled)");
          };
    }
    Path root;
    boolean explicit = a.isSet("root");
    if (explicit) {
      root = Path.of(a.string("root")).toAbsolutePath().normalize();
      // runc refuses this too: state would be written straight into /.
      if (root.getParent() == null) {
        throw new UsageException("Option --root argument should not be set to /");
      }
    } else {
      root = defaultRoot();
    }
    String log = a.string("log");
    return new GlobalOptions(
        root,
        explicit,
        log == null || log.isEmpty() ? null : Path.of(log),
        fmt,
        a.bool("debug"),
        logLevel,
        a.bool("systemd-cgroup"),
        rootless,
        manager,
        a.string("criu"));
  }

  /** Options as if none were given; for code and tests that call commands directly. */
  public static GlobalOptions defaults() {
    try {
      return from(io.jrunc.cli.args.ArgParser.parse(FLAGS, List.of(), 0));
    } catch (UsageException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * runc's rule (main.go shouldHonorXDGRuntimeDir): {@code $XDG_RUNTIME_DIR/jrunc} when that is
   * set and the effective uid is not 0, or it is 0 inside a user namespace (rootlesskit, a
   * rootless engine) and $USER is not root; {@code /run/jrunc} otherwise. The effective uid, not
   * user.name (the real user's name), decides: a set-uid or setpriv'd caller is judged as the
   * kernel judges it.
   */
  static Path defaultRoot() {
    String xdg = System.getenv("XDG_RUNTIME_DIR");
    if (xdg == null || xdg.isEmpty()) return Path.of("/run/jrunc");
    boolean honour;
    if (effectiveUid() != 0) {
      honour = true;
    } else if (!io.jrunc.core.api.host.HostProbes.inUserNamespace()) {
      honour = false;
    } else {
      String user = System.getenv("USER");
      honour = user == null || !user.equals("root");
    }
    return honour ? Path.of(xdg, "jrunc") : Path.of("/run/jrunc");
  }

  /**
   * The effective uid from /proc/self/status ({@code Uid: real effective saved fs}): a file read
   * instead of linking geteuid(2), which every CLI start would pay for.
   */
  static long effectiveUid() {
    try {
      for (String line : io.jrunc.core.api.host.LimitedFiles.readKernelFile(Path.of("/proc/self/status")).split("\n")) {
        if (line.startsWith("Uid:")) return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
      }
    } catch (java.io.IOException | RuntimeException e) {
      // no /proc: fall through
    }
    return "root".equals(System.getProperty("user.name")) ? 0 : -1;
  }
}
