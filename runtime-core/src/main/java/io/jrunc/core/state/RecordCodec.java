package io.jrunc.core.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * state.json by hand, on Jackson's streaming layer: every CLI call after create reads it, and
 * binding a record through databind's reflection costs a fresh JVM hundreds of milliseconds.
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
 * </table>
 *
 * A value of the wrong type is an error, never coerced or defaulted: a {@code "pid": "abc"}
 * read as 0 made a running container look "creating", and {@code delete --force} then removed
 * its record and left it running.
 */
final class RecordCodec {
  private RecordCodec() {}

  private static final JsonFactory FACTORY = new JsonFactory()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  static byte[] write(ContainerRecord r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("id", r.id());
      g.writeStringField("bundle", r.bundle());
      g.writeStringField("rootfs", r.rootfs());
      g.writeNumberField("pid", r.pid());
      g.writeNumberField("pidStartTime", r.pidStartTime());
      g.writeStringField("created", r.created());
      g.writeStringField("owner", r.owner());
      map(g, "annotations", r.annotations());
      g.writeStringField("ociVersion", r.ociVersion());
      map(g, "cgroup", r.cgroup());
      g.writeBooleanField("systemdCgroup", r.systemdCgroup());
      g.writeBooleanField("rootless", r.rootless());
      g.writeBooleanField("ownPidNamespace", r.ownPidNamespace());
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void map(JsonGenerator g, String name, Map<String, String> m) throws IOException {
    if (m == null) return;
    g.writeObjectFieldStart(name);
    for (var e : m.entrySet()) g.writeStringField(e.getKey(), e.getValue());
    g.writeEndObject();
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
    try (JsonParser p = FACTORY.createParser(json)) {
      r.document(p);
    } catch (JsonProcessingException e) {
      // Jackson's own text goes on to describe its source marker: the first clause is enough
      String why = e.getOriginalMessage().replaceFirst("(?s)[:(\\n].*$", "").strip();
      r.problems.add("not valid JSON: " + why
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
    } catch (IOException e) {
      r.problems.add("cannot be parsed: " + e.getMessage());
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
        r.start, r.created, r.owner, r.annotations, r.oci, r.cgroup, r.systemd, r.rootless, r.ownPid);
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
    boolean complete;

    void document(JsonParser p) throws IOException {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT) {
        problems.add("expected a JSON object, found " + describe(p, t));
        return;
      }
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        seen.add(f);
        t = p.nextToken();
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
          default -> {
            p.skipChildren();
            continue;
          }
        }
        if (problems.size() == before) readable.add(f);
      }
      if (t != JsonToken.END_OBJECT) {
        problems.add("expected a field name, found " + describe(p, t));
        return;
      }
      complete = true;
      if ((t = p.nextToken()) != null) problems.add("unexpected " + describe(p, t) + " after the record");
    }

    private String string(JsonParser p, JsonToken t, String f, boolean nullable) throws IOException {
      if (t == JsonToken.VALUE_STRING) return p.getText();
      if (t == JsonToken.VALUE_NULL && nullable) return null;
      bad(p, t, f, "a string");
      return null;
    }

    private long integer(JsonParser p, JsonToken t, String f, long max) throws IOException {
      if (t == JsonToken.VALUE_NUMBER_INT) {
        if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
          long v = p.getLongValue();
          if (v >= 0 && v <= max) return v;
        }
        problems.add("field \"" + f + "\": " + p.getText() + " is out of range (0 to " + max + ")");
        return 0;
      }
      bad(p, t, f, "an integer");
      return 0;
    }

    private boolean bool(JsonParser p, JsonToken t, String f) throws IOException {
      if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) return t == JsonToken.VALUE_TRUE;
      bad(p, t, f, "a boolean");
      return false;
    }

    private Map<String, String> stringMap(JsonParser p, JsonToken t, String f) throws IOException {
      if (t == JsonToken.VALUE_NULL) return null;
      if (t != JsonToken.START_OBJECT) {
        bad(p, t, f, "an object of strings");
        return null;
      }
      Map<String, String> m = new LinkedHashMap<>();
      boolean ok = true;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String k = p.currentName();
        t = p.nextToken();
        if (t == JsonToken.VALUE_STRING) {
          m.put(k, p.getText());
        } else {
          bad(p, t, f + "\" key \"" + clip(k), "a string");
          ok = false;
        }
      }
      return ok ? m : null;
    }

    private void bad(JsonParser p, JsonToken t, String f, String expected) throws IOException {
      problems.add("field \"" + f + "\": expected " + expected + ", found " + describe(p, t));
      p.skipChildren();
    }
  }

  private static String describe(JsonParser p, JsonToken t) throws IOException {
    if (t == null) return "the end of the file";
    return switch (t) {
      case VALUE_STRING -> "a string \"" + clip(p.getText()) + "\"";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number " + clip(p.getText());
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> t.asString() == null ? t.name() : "\"" + t.asString() + "\"";
    };
  }

  /** A value quoted in a message: short, and no control characters on the user's terminal. */
  private static String clip(String s) {
    String c = s.length() > 40 ? s.substring(0, 40) + "..." : s;
    return c.replaceAll("\\p{Cntrl}", "?");
  }
}
