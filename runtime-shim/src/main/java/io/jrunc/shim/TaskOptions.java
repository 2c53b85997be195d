package io.jrunc.shim;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.jrunc.core.api.CreateOptions;
import io.jrunc.core.api.host.LimitedFiles;
import io.jrunc.shim.proto.RuncOptions;
import io.jrunc.shim.proto.RuntimeOptions;
import io.jrunc.shim.ttrpc.RpcException;
import io.jrunc.spec.Json;
import io.jrunc.spec.Spec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * What a task's create asks of the runtime besides its bundle: {@code CreateTaskRequest.options}
 * and, where they do not say, the cgroup driver the bundle's {@code linux.cgroupsPath} is
 * written for.
 *
 * <table>
 *   <caption>options containerd sends</caption>
 *   <tr><th>type</th><th>who sends it</th><th>what is taken</th></tr>
 *   <tr><td>none</td><td>{@code ctr run}, containerd's CRI when the runtime has no options</td>
 *       <td>nothing</td></tr>
 *   <tr><td>{@code runtimeoptions.v1.Options}</td><td>containerd's CRI for any runtime type but
 *       runc's: 1.6 sends {@code config_path} only, 1.7 and later also the runtime's
 *       {@code options} TOML section as {@code config_body}</td><td>{@code SystemdCgroup},
 *       {@code NoPivotRoot}, {@code NoNewKeyring} (booleans) from the body, else from the file
 *       at {@code config_path}; other keys are logged and left</td></tr>
 *   <tr><td>{@code containerd.runc.v1.Options}</td><td>a client that gives runc's options
 *       ({@code ctr --runc-systemd-cgroup}, Go clients)</td><td>the same three; {@code io_uid},
 *       {@code io_gid} and {@code shim_cgroup} are refused (not implemented); runc's binary,
 *       state root and CRIU paths are logged and left (this shim runs no runc)</td></tr>
 *   <tr><td>any other</td><td></td><td>refused</td></tr>
 * </table>
 *
 * <p>The driver when no option names it: systemd iff {@code linux.cgroupsPath} has systemd's
 * {@code slice:prefix:name} form. containerd's CRI writes that form only when the kubelet's cgroup
 * parent is a systemd slice ({@code kubepods-besteffort-pod<uid>.slice:cri-containerd:<id>}),
 * Docker only with its systemd cgroup driver ({@code system.slice:docker:<id>}), and neither can
 * tell a shim other than runc's which driver it uses; jrunc's cgroupfs driver refuses the form,
 * so this reading only turns a certain failure into what the engine meant.
 *
 * @param systemdCgroup the driver the options name, or null when they name none
 */
record TaskOptions(Boolean systemdCgroup, boolean noPivotRoot, boolean noNewKeyring) {
  private static final Logger LOG = Logger.getLogger(TaskOptions.class.getName());

  static final TaskOptions NONE = new TaskOptions(null, false, false);
  static final String RUNTIME_OPTIONS = "runtimeoptions.v1.Options";
  static final String RUNC_OPTIONS = "containerd.runc.v1.Options";

  /** The options of a create request ({@code what} names the task for messages). */
  static TaskOptions of(Any options, String what) throws RpcException {
    if (options == null || options.getTypeUrl().isEmpty()) return NONE;
    String url = options.getTypeUrl();
    String type = url.substring(url.lastIndexOf('/') + 1); // "type.googleapis.com/x" or "x"
    try {
      return switch (type) {
        case RUNTIME_OPTIONS -> runtimeOptions(RuntimeOptions.parseFrom(options.getValue()), what);
        case RUNC_OPTIONS -> runcOptions(RuncOptions.parseFrom(options.getValue()), what);
        default -> throw invalid(what, "runtime options of type " + url + " are not understood by jrunc's shim"
            + " (it takes " + RUNTIME_OPTIONS + " and " + RUNC_OPTIONS + ")");
      };
    } catch (InvalidProtocolBufferException e) {
      throw invalid(what, "runtime options of type " + url + ": " + e.getMessage());
    }
  }

  /** {@code o} for a create of the bundle at {@code bundle}. */
  CreateOptions applyTo(CreateOptions o, Path bundle) {
    boolean systemd = systemdCgroup != null ? systemdCgroup : io.jrunc.spec.Linux.isSystemdCgroupsPath(cgroupsPath(bundle));
    return o.withSystemdCgroup(systemd).withNoPivot(noPivotRoot).withNoNewKeyring(noNewKeyring);
  }

  private static TaskOptions runcOptions(RuncOptions r, String what) throws RpcException {
    if (r.getIoUid() != 0 || r.getIoGid() != 0) {
      throw invalid(what, "runc option IoUid/IoGid (" + r.getIoUid() + "/" + r.getIoGid()
          + "): owning the I/O pipes by another user is not implemented by jrunc's shim");
    }
    if (!r.getShimCgroup().isEmpty()) {
      throw invalid(what, "runc option ShimCgroup " + r.getShimCgroup() + ": not implemented by jrunc's shim");
    }
    if (!r.getBinaryName().isEmpty() || !r.getRoot().isEmpty()
        || !r.getCriuImagePath().isEmpty() || !r.getCriuWorkPath().isEmpty()) {
      LOG.info(what + ": runc options BinaryName, Root and the CRIU paths name runc's binary, state and "
          + "checkpoints; jrunc's shim runs no runc binary and keeps its own state: left");
    }
    return new TaskOptions(r.getSystemdCgroup(), r.getNoPivotRoot(), r.getNoNewKeyring());
  }

  private static TaskOptions runtimeOptions(RuntimeOptions r, String what) throws RpcException {
    String toml;
    String where;
    if (!r.getConfigBody().isEmpty()) {
      toml = r.getConfigBody().toString(StandardCharsets.UTF_8);
      where = "the runtime's options in containerd's config";
    } else if (!r.getConfigPath().isEmpty()) {
      where = r.getConfigPath();
      try {
        // TOML, read within the limit of the JSON documents a caller hands the runtime
        toml = new String(LimitedFiles.readJson(Path.of(where), "runtime options config_path"), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw invalid(what, "runtime options config_path " + where + ": " + e.getMessage());
      }
    } else {
      return NONE;
    }
    return fromToml(toml, what, where);
  }

  /**
   * The three booleans of a TOML options section: top-level {@code Key = true|false} lines.
   * Comments, blank lines and other keys (containerd's own {@code TypeUrl}, {@code ConfigPath},
   * runc's {@code BinaryName} in a section copied from runc's) are left, the unknown ones logged;
   * the continuation lines of a multi-line array or string are skipped, and so is everything
   * after the first table header (its keys are not this section's).
   */
  static TaskOptions fromToml(String toml, String what, String where) throws RpcException {
    Boolean systemd = null;
    boolean noPivot = false, noKeyring = false;
    int depth = 0; // open brackets of a multi-line array value
    String closing = null; // the delimiter that ends a multi-line string value
    for (String raw : toml.split("\n", -1)) {
      String line = raw.strip();
      if (closing != null) {
        if (line.contains(closing)) closing = null;
        continue;
      }
      if (depth > 0) {
        depth += brackets(line);
        continue;
      }
      if (line.isEmpty() || line.startsWith("#")) continue;
      if (line.startsWith("[")) break; // a table: the rest is not this section's own keys
      int eq = line.indexOf('=');
      if (eq <= 0) throw invalid(what, where + ": not a TOML key = value line: " + line);
      String key = unquote(line.substring(0, eq).strip());
      String value = line.substring(eq + 1).strip();
      if (value.startsWith("\"\"\"") || value.startsWith("'''")) {
        String delim = value.substring(0, 3);
        if (value.indexOf(delim, 3) < 0) closing = delim;
      } else if (value.startsWith("[")) {
        depth = brackets(value);
      } else {
        int hash = value.indexOf('#');
        if (hash >= 0 && !value.startsWith("\"") && !value.startsWith("'")) value = value.substring(0, hash).strip();
      }
      switch (key) {
        case "SystemdCgroup" -> systemd = bool(key, value, what, where);
        case "NoPivotRoot" -> noPivot = bool(key, value, what, where);
        case "NoNewKeyring" -> noKeyring = bool(key, value, what, where);
        case "TypeUrl", "ConfigPath" -> { } // containerd's own fields, in the section it passes whole
        default -> LOG.info(what + ": runtime option " + key + " (" + where + ") is not one jrunc's shim takes: left");
      }
    }
    return new TaskOptions(systemd, noPivot, noKeyring);
  }

  /** Opening minus closing brackets on a line (an array's brackets inside its strings are rare enough to count). */
  private static int brackets(String line) {
    int d = 0;
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == '[') d++;
      else if (line.charAt(i) == ']') d--;
    }
    return d;
  }

  private static boolean bool(String key, String value, String what, String where) throws RpcException {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw invalid(what, where + ": " + key + " = " + value + ": expected true or false");
    };
  }

  private static String unquote(String key) {
    return key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
  }

  /**
   * The bundle's {@code linux.cgroupsPath}, or null when there is none or config.json cannot be
   * read: the create that follows reads it again and reports what is wrong with it.
   */
  private static String cgroupsPath(Path bundle) {
    try {
      // the spec's own streaming codec, which the create loads anyway (a tree would load databind)
      Spec spec = Json.read(LimitedFiles.readJson(bundle.resolve("config.json"), "config.json"), Spec.class);
      return spec.linux() == null ? null : spec.linux().cgroupsPath();
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static RpcException invalid(String what, String why) {
    return new RpcException(RpcException.INVALID_ARGUMENT, what + ": " + why);
  }
}
