package io.jrunc.cli.command;

import io.jrunc.spec.JsonText;

import io.jrunc.spec.State;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code state}'s output, written by hand: engines call {@code state} more than any other
 * command, and the spec's Jackson generator cost it ~10 ms of a fresh JVM's CPU (jackson-core's
 * classes and their initialisation) for nine fields. The bytes are those of
 * {@code Json.writeIndented(state, "  ")} (StateJsonTest compares them), which are runc's:
 * Go's {@code json.MarshalIndent} with two spaces, null fields left out, annotations in key
 * order, {@code < > &} and U+2028/U+2029 escaped as Go escapes them. (One difference from
 * runc that the codec has and this keeps: a character outside the BMP is written as two
 * escaped UTF-16 surrogates, where Go writes its UTF-8.)
 */
final class StateJson {
  private StateJson() {}

  static String write(State s) {
    StringBuilder b = new StringBuilder(512).append('{');
    Sep sep = new Sep();
    string(b, sep, "ociVersion", s.ociVersion());
    string(b, sep, "id", s.id());
    if (s.pid() != null) sep.next(b, "pid").append(s.pid().intValue());
    string(b, sep, "status", s.status());
    string(b, sep, "bundle", s.bundle());
    string(b, sep, "rootfs", s.rootfs());
    string(b, sep, "created", s.created());
    Map<String, String> a = s.annotations();
    if (a != null) {
      sep.next(b, "annotations");
      if (a.isEmpty()) {
        b.append("{}");
      } else {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : new TreeMap<>(a).entrySet()) {
          b.append(first ? "\n    " : ",\n    ");
          first = false;
          quote(b, e.getKey()).append(": ");
          if (e.getValue() == null) b.append("null");
          else quote(b, e.getValue());
        }
        b.append("\n  }");
      }
    }
    string(b, sep, "owner", s.owner());
    return b.append(sep.any ? "\n}" : "}").toString();
  }

  /** The separator before each field: none before the first. */
  private static final class Sep {
    boolean any;

    StringBuilder next(StringBuilder b, String name) {
      b.append(any ? ",\n  " : "\n  ");
      any = true;
      return quote(b, name).append(": ");
    }
  }

  private static void string(StringBuilder b, Sep sep, String name, String v) {
    if (v != null) quote(sep.next(b, name), v);
  }

  /** Jackson's standard escapes (as the spec codec writes) plus Go's HTML-safe ones: {@link JsonText}. */
  static StringBuilder quote(StringBuilder b, String s) {
    return JsonText.quote(b, s);
  }
}
