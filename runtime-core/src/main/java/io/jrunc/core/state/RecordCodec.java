package io.jrunc.core.state;

import io.jrunc.spec.JsonText;

import io.jrunc.core.state.JsonPull.SyntaxException;
import io.jrunc.core.state.JsonPull.Token;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * state.json by hand, with no JSON library: every CLI call after create reads it, and in a
 * fresh JVM binding a record through databind's reflection cost hundreds of milliseconds,
 * initialising even Jackson's streaming parser 15-20 ms ({@link JsonPull} reads it instead;
 * the writer below writes the one flat shape of a record).
 *
 * <table>
 *   <caption>Fields, as {@link #read} checks them (unknown fields are skipped: a newer jrunc
 *   may add some)</caption>
 *   <tr><th>field</th><th>type</th><th>required</th></tr>
 *   <tr><td>id</td><td>string, the directory's id</td><td>yes</td></tr>
 *   <tr><td>pid</td><td>integer, 0 (being created) to 2^31-1</td><td>yes</td></tr>
 *   <tr><td>pidStartTime</td><td>integer &ge; 0</td><td>yes</td></tr>
 *   <tr><td>bundle, rootfs, created, owner, ociVersion</td><td>string or null</td><td>no</td></tr>
 *   <tr><td>annotations, cgroup</td><td>object of strings, or null</td><td>no</td></tr>
 *   <tr><td>systemdCgroup, rootless, ownPidNamespace</td><td>boolean</td><td>no (false)</td></tr>
 *   <tr><td>hooks</td><td>boolean</td><td>no (unknown: the config is read to see)</td></tr>
 * </table>
 *
 * A value of the wrong type is an error, never coerced or defaulted: a {@code "pid": "abc"}
 * read as 0 made a running container look "creating", and {@code delete --force} then removed
 * its record and left it running.
 */
final class RecordCodec {
  private RecordCodec() {}

  static byte[] write(ContainerRecord r) {
    return Parts.of(r).with(r.pid(), r.pidStartTime());
  }

  /**
   * A record encoded but for its pid and pid start time, which {@link #with} fills in: create
   * encodes its last record while init is being cloned (~0.5 ms of a cold JVM) and writes it
   * once init's pid is known. The same bytes as {@link #write} of the filled-in record.
   */
  static final class Parts {
    private final String head, tail;

    private Parts(String head, String tail) {
      this.head = head;
      this.tail = tail;
    }

    /** {@code r} encoded, its pid and start time left out. */
    static Parts of(ContainerRecord r) {
      StringBuilder b = new StringBuilder(64).append('{');
      field(b, "id").append(quoted(r.id()));
      field(b.append(','), "bundle").append(quoted(r.bundle()));
      field(b.append(','), "rootfs").append(quoted(r.rootfs()));
      field(b.append(','), "pid");
      return new Parts(b.toString(), tail(r));
    }

    /** The whole record with {@code pid} and {@code startTime}. */
    byte[] with(int pid, long startTime) {
      return new StringBuilder(head.length() + tail.length() + 48).append(head).append(pid)
          .append(",\"pidStartTime\":").append(startTime).append(tail).toString().getBytes(StandardCharsets.UTF_8);
    }
  }

  /** The fields after pidStartTime, from the comma before the first to the closing brace. */
  private static String tail(ContainerRecord r) {
    StringBuilder b = new StringBuilder(512);
    field(b.append(','), "created").append(quoted(r.created()));
    field(b.append(','), "owner").append(quoted(r.owner()));
    map(b, "annotations", r.annotations());
    field(b.append(','), "ociVersion").append(quoted(r.ociVersion()));
    map(b, "cgroup", r.cgroup());
    field(b.append(','), "systemdCgroup").append(r.systemdCgroup());
    field(b.append(','), "rootless").append(r.rootless());
    field(b.append(','), "ownPidNamespace").append(r.ownPidNamespace());
    if (r.hooks() != null) field(b.append(','), "hooks").append(r.hooks().booleanValue());
    return b.append('}').toString();
  }

  private static StringBuilder field(StringBuilder b, String name) {
    return b.append(quoted(name)).append(':');
  }

  private static void map(StringBuilder b, String name, Map<String, String> m) {
    if (m == null) return;
    field(b.append(','), name).append('{');
    boolean first = true;
    for (var e : m.entrySet()) {
      if (!first) b.append(',');
      first = false;
      field(b, e.getKey()).append(quoted(e.getValue()));
    }
    b.append('}');
  }

  /** A JSON string (or null), escaped as every JSON jrunc writes ({@link JsonText}). */
  static String quoted(String s) {
    return s == null ? "null" : JsonText.quote(new StringBuilder(s.length() + 2), s).toString();
  }

  /**
   * Reads a record strictly.
   *
   * @param expectedId the id of the directory the file is in: a record naming another
   *     container is malformed (commands would lock and signal that other container)
   * @param file the file's path, for messages
   * @throws MalformedRecordException naming every bad field, with what could be salvaged
   */
  static ContainerRecord read(byte[] json, String expectedId, String file) throws MalformedRecordException {
    Reader r = new Reader();
    try {
      r.document(new JsonPull(json));
    } catch (SyntaxException e) {
      r.problems.add("not valid JSON: " + e.getMessage());
    }
    if (r.id != null && !r.id.equals(expectedId)) {
      r.problems.add("field \"id\": \"" + clip(r.id) + "\" is not the id of its directory, \"" + expectedId + "\"");
      r.readable.remove("id");
    }
    for (String f : new String[] {"id", "pid", "pidStartTime"}) {
      // (in a document cut short, a field may only be missing because the cut came first)
      if (r.complete && !r.seen.contains(f)) r.problems.add("field \"" + f + "\" is missing");
    }
    ContainerRecord rec = new ContainerRecord(r.problems.isEmpty() ? r.id : expectedId, r.bundle, r.rootfs, r.pid,
        r.start, r.created, r.owner, r.annotations, r.oci, r.cgroup, r.systemd, r.rootless, r.ownPid, r.hooks);
    if (!r.problems.isEmpty()) throw new MalformedRecordException(file, r.problems, rec, r.readable);
    return rec;
  }

  /** One pass over the document; every bad field is noted and skipped, so all are reported. */
  private static final class Reader {
    final List<String> problems = new ArrayList<>();
    final Set<String> readable = new HashSet<>();
    final Set<String> seen = new HashSet<>();
    String id, bundle, rootfs, created, owner, oci;
    int pid;
    long start;
    Map<String, String> annotations, cgroup;
    boolean systemd, rootless, ownPid;
    Boolean hooks;
    boolean complete;

    void document(JsonPull p) throws SyntaxException {
      Token t = p.next();
      if (t != Token.START_OBJECT) {
        problems.add("expected a JSON object, found " + describe(p, t));
        return;
      }
      while ((t = p.next()) == Token.FIELD_NAME) {
        String f = p.text();
        seen.add(f);
        t = p.next();
        int before = problems.size();
        switch (f) {
          case "id" -> id = string(p, t, f, false);
          case "bundle" -> bundle = string(p, t, f, true);
          case "rootfs" -> rootfs = string(p, t, f, true);
          case "created" -> created = string(p, t, f, true);
          case "owner" -> owner = string(p, t, f, true);
          case "ociVersion" -> oci = string(p, t, f, true);
          case "pid" -> pid = (int) integer(p, t, f, Integer.MAX_VALUE);
          case "pidStartTime" -> start = integer(p, t, f, Long.MAX_VALUE);
          case "annotations" -> annotations = stringMap(p, t, f);
          case "cgroup" -> cgroup = stringMap(p, t, f);
          case "systemdCgroup" -> systemd = bool(p, t, f);
          case "rootless" -> rootless = bool(p, t, f);
          case "ownPidNamespace" -> ownPid = bool(p, t, f);
          case "hooks" -> hooks = bool(p, t, f);
          default -> {
            p.skipChildren(t);
            continue;
          }
        }
        if (problems.size() == before) readable.add(f);
      }
      // (JsonPull only returns END_OBJECT here: anything else in an object is a syntax error)
      complete = true;
      if ((t = p.next()) != null) problems.add("unexpected " + describe(p, t) + " after the record");
    }

    private String string(JsonPull p, Token t, String f, boolean nullable) throws SyntaxException {
      if (t == Token.STRING) return p.text();
      if (t == Token.NULL && nullable) return null;
      bad(p, t, f, "a string");
      return null;
    }

    private long integer(JsonPull p, Token t, String f, long max) throws SyntaxException {
      if (t == Token.INTEGER) {
        long v = -1;
        try {
          v = Long.parseLong(p.text());
        } catch (NumberFormatException e) {
          // beyond a long: out of range below
        }
        if (v >= 0 && v <= max) return v;
        problems.add("field \"" + f + "\": " + clip(p.text()) + " is out of range (0 to " + max + ")");
        return 0;
      }
      bad(p, t, f, "an integer");
      return 0;
    }

    private boolean bool(JsonPull p, Token t, String f) throws SyntaxException {
      if (t == Token.TRUE || t == Token.FALSE) return t == Token.TRUE;
      bad(p, t, f, "a boolean");
      return false;
    }

    private Map<String, String> stringMap(JsonPull p, Token t, String f) throws SyntaxException {
      if (t == Token.NULL) return null;
      if (t != Token.START_OBJECT) {
        bad(p, t, f, "an object of strings");
        return null;
      }
      Map<String, String> m = new LinkedHashMap<>();
      boolean ok = true;
      while ((t = p.next()) == Token.FIELD_NAME) {
        String k = p.text();
        t = p.next();
        if (t == Token.STRING) {
          m.put(k, p.text());
        } else {
          bad(p, t, f + "\" key \"" + clip(k), "a string");
          ok = false;
        }
      }
      return ok ? m : null;
    }

    private void bad(JsonPull p, Token t, String f, String expected) throws SyntaxException {
      problems.add("field \"" + f + "\": expected " + expected + ", found " + describe(p, t));
      p.skipChildren(t);
    }
  }

  private static String describe(JsonPull p, Token t) {
    if (t == null) return "the end of the file";
    return switch (t) {
      case STRING -> "a string \"" + clip(p.text()) + "\"";
      case INTEGER, FLOAT -> "a number " + clip(p.text());
      case TRUE, FALSE -> "a boolean";
      case NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case END_OBJECT -> "\"}\"";
      case END_ARRAY -> "\"]\"";
      case FIELD_NAME -> "a field name";
    };
  }

  /** A value quoted in a message: short, and no control characters on the user's terminal. */
  private static String clip(String s) {
    String c = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    StringBuilder b = new StringBuilder(c.length());
    for (int i = 0; i < c.length(); i++) b.append(Character.isISOControl(c.charAt(i)) ? '?' : c.charAt(i));
    return b.toString();
  }
}
