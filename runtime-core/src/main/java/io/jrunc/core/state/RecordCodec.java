package io.jrunc.core.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * state.json by hand, on Jackson's streaming layer: every CLI call after create reads it, and
 * binding a record through databind's reflection costs a fresh JVM hundreds of milliseconds.
 */
final class RecordCodec {
  private RecordCodec() {}

  private static final JsonFactory FACTORY = new JsonFactory();

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

  static ContainerRecord read(byte[] json) throws IOException {
    String id = null, bundle = null, rootfs = null, created = null, owner = null, oci = null;
    int pid = 0;
    long start = 0;
    Map<String, String> annotations = null, cgroup = null;
    boolean systemd = false, rootless = false, ownPid = false;
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("state.json is not a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "id" -> id = p.getValueAsString();
          case "bundle" -> bundle = p.getValueAsString();
          case "rootfs" -> rootfs = p.getValueAsString();
          case "pid" -> pid = p.getIntValue();
          case "pidStartTime" -> start = p.getLongValue();
          case "created" -> created = p.getValueAsString();
          case "owner" -> owner = p.getValueAsString();
          case "annotations" -> annotations = readMap(p);
          case "ociVersion" -> oci = p.getValueAsString();
          case "cgroup" -> cgroup = readMap(p);
          case "systemdCgroup" -> systemd = p.getBooleanValue();
          case "rootless" -> rootless = p.getBooleanValue();
          case "ownPidNamespace" -> ownPid = p.getBooleanValue();
          default -> p.skipChildren();
        }
      }
    }
    return new ContainerRecord(id, bundle, rootfs, pid, start, created, owner, annotations, oci, cgroup, systemd,
        rootless, ownPid);
  }

  private static Map<String, String> readMap(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) return null;
    Map<String, String> m = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String k = p.currentName();
      p.nextToken();
      m.put(k, p.getValueAsString());
    }
    return m;
  }
}
