package io.jrunc.shim;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line containerd gives a shim (runtime/v2/shim/shim.go, Go's flag package: one or
 * two dashes, {@code -name value} or {@code -name=value}, boolean {@code -debug}), then the
 * action: {@code start}, {@code delete}, or none (the long-running server: here {@code serve},
 * started by {@code start} itself).
 *
 * <pre>
 * containerd-shim-jrunc-v2 -namespace NS -address /run/containerd/containerd.sock \
 *     -publish-binary /usr/bin/containerd -id ID [-bundle DIR] [-debug] start|delete
 * </pre>
 *
 * The bundle is the working directory when {@code -bundle} is not given (containerd starts
 * {@code start} in the bundle).
 */
public record ShimFlags(String namespace, String address, String publishBinary, String id, String bundle,
    boolean debug, String socket, String action, List<String> rest) {

  public static ShimFlags parse(String[] args) {
    String ns = "", address = "", publish = "", id = "", bundle = "", socket = "";
    boolean debug = false;
    List<String> rest = new ArrayList<>();
    int i = 0;
    for (; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("-") || a.equals("-") || a.equals("--")) {
        if (a.equals("--")) i++;
        break;
      }
      String name = a.replaceFirst("^--?", "");
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (name.equals("debug") || name.equals("v")) {
        debug = value == null || Boolean.parseBoolean(value);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) throw new IllegalArgumentException("flag needs an argument: -" + name);
        value = args[++i];
      }
      switch (name) {
        case "namespace" -> ns = value;
        case "address" -> address = value;
        case "publish-binary" -> publish = value;
        case "id" -> id = value;
        case "bundle" -> bundle = value;
        case "socket" -> socket = value;
        default -> { } // flags of newer containerd versions we do not use
      }
    }
    String action = i < args.length ? args[i++] : "";
    while (i < args.length) rest.add(args[i++]);
    return new ShimFlags(ns, address, publish, id, bundle, debug, socket, action, List.copyOf(rest));
  }

  /** The bundle directory: {@code -bundle}, else the working directory. */
  public String bundleOrCwd() {
    return bundle.isEmpty() ? System.getProperty("user.dir") : bundle;
  }
}
