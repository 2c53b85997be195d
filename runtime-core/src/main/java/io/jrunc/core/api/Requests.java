package io.jrunc.core.api;

import io.jrunc.core.container.CreateRequest;
import io.jrunc.core.container.ExecRequest;
import io.jrunc.core.process.ProcessStdio;

/**
 * The public option records as the container layer's requests: the layer below takes its own
 * records, so it never imports this package.
 */
final class Requests {
  private Requests() {}

  static CreateRequest create(CreateOptions o) {
    return new CreateRequest(o.bundle(), o.pidFile(), o.consoleSocket(), o.noPivot(), o.noNewKeyring(),
        o.preserveFds(), stdio(o.stdio()), o.systemdCgroup(), o.pidfdSocket(), o.consoleFd(), o.detach());
  }

  static ExecRequest exec(ExecOptions o) {
    return new ExecRequest(stdio(o.stdio()), o.preserveFds(), o.pidFile(), o.ignorePaused(), o.consoleSocket(),
        o.consoleFd(), o.pidfdSocket(), o.subCgroups());
  }

  static ProcessStdio stdio(Stdio s) {
    return s == null ? null : new ProcessStdio(stream(s.in()), stream(s.out()), stream(s.err()));
  }

  private static ProcessStdio.Stream stream(Stdio.Stream s) {
    return switch (s) {
      case null -> null;
      case Stdio.Inherit x -> new ProcessStdio.Inherit();
      case Stdio.ToFile f -> new ProcessStdio.ToFile(f.path());
      case Stdio.Pipe p -> new ProcessStdio.Pipe();
    };
  }
}
