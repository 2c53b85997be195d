package io.jrunc.shim;

import java.io.IOException;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * {@code containerd-shim-jrunc-v2}: containerd's runtime v2 shim for jrunc. {@code start} and
 * {@code delete} are short calls from containerd ({@link ShimFlags}); {@code serve} is the
 * long-running server {@code start} spawns.
 */
public final class Main {
  private Main() {}

  public static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  public static void main(String[] args) {
    for (String a : args) {
      if (a.equals("-v") || a.equals("--v") || a.equals("-version") || a.equals("--version")) {
        System.out.println("containerd-shim-jrunc-v2:\n  Runtime: jrunc\n  Version: " + version());
        return;
      }
    }
    ShimFlags flags;
    try {
      flags = ShimFlags.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("containerd-shim-jrunc-v2: " + e.getMessage());
      System.exit(1);
      return;
    }
    try {
      switch (flags.action()) {
        case "start" -> ShimStart.run(flags);
        case "delete" -> ShimDelete.run(flags);
        case "serve" -> {
          logging(ShimServer.debug(flags));
          ShimServer.run(flags);
        }
        default -> throw new IllegalArgumentException(flags.action().isEmpty()
            ? "no action given (start, delete)"
            : "unknown action " + flags.action() + " (start, delete)");
      }
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("containerd-shim-jrunc-v2: " + flags.action() + ": " + e.getMessage());
      System.exit(1);
    } catch (InterruptedException e) {
      System.exit(1);
    }
  }

  /** The server logs to stderr, which {@code start} points at the group's log file. */
  static void logging(boolean debug) {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) root.removeHandler(h);
    ConsoleHandler h = new ConsoleHandler();
    h.setFormatter(new SimpleFormatter());
    h.setLevel(debug ? Level.FINE : Level.INFO);
    root.addHandler(h);
    root.setLevel(Level.INFO);
    // debug is ours only: the JDK's own FINE records (a stack trace per ProcessBuilder.start) stay out
    Logger.getLogger("io.jrunc").setLevel(debug ? Level.FINE : Level.INFO);
  }
}
