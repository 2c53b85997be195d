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
    // instanceof, not a pattern switch: its typeSwitch bootstrap spins a class at run time
    // (not kept by the AOT cache) on every cold create
    if (s == null) return null;
    if (s instanceof Stdio.Inherit) return new ProcessStdio.Inherit();
    if (s instanceof Stdio.ToFile f) return new ProcessStdio.ToFile(f.path());
    if (s instanceof Stdio.Pipe) return new ProcessStdio.Pipe();
    throw new IllegalArgumentException("unknown stdio stream " + s.getClass());
  }
}
