package io.jrunc.cli.command;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While a foreground {@code run} waits, forwards the signals it receives to the container's
 * init, as runc does (a Ctrl-C or a supervisor's SIGTERM reaches the container, not only us).
 */
final class SignalForwarder {
  private static final String[] FORWARDED = {"TERM", "INT", "HUP", "USR1", "USR2"};
  private final List<Object[]> previous = new ArrayList<>();

  private SignalForwarder() {}

  /** @param send passes a signal number on (to the container's init, or the exec'd process) */
  static SignalForwarder install(IntConsumer send) {
    SignalForwarder f = new SignalForwarder();
    for (String name : FORWARDED) {
      try {
        Signal sig = new Signal(name);
        SignalHandler old = Signal.handle(sig, s -> send.accept(s.getNumber()));
        f.previous.add(new Object[] {sig, old});
      } catch (IllegalArgumentException e) {
        // the JVM reserves this signal here: it keeps its own meaning
      }
    }
    return f;
  }

  void uninstall() {
    for (Object[] p : previous) Signal.handle((Signal) p[0], (SignalHandler) p[1]);
  }
}
