package io.jrunc.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrunc.spec.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * A test bundle: a busybox rootfs (Debian's busybox-static, with a symlink per applet) and a
 * config.json from runc's default spec (terminal off), edited as a JSON tree.
 */
public final class Bundle {
  private static final Path BUSYBOX = Path.of("/bin/busybox");
  private static List<String> applets;

  public final Path dir;
  public final ObjectNode config;

  private Bundle(Path dir, ObjectNode config) {
    this.dir = dir;
    this.config = config;
  }

  public static Bundle busybox(Path dir) throws IOException {
    Path rootfs = dir.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("bin"));
    for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "root")) Files.createDirectories(rootfs.resolve(d));
    Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
    for (String a : applets()) {
      Path link = rootfs.resolve("bin").resolve(a);
      if (!Files.exists(link)) Files.createSymbolicLink(link, Path.of("busybox"));
    }
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
    ObjectNode cfg;
    try (InputStream in = Bundle.class.getResourceAsStream("/runc-spec-template.json")) {
      cfg = (ObjectNode) Json.mapper().readTree(in);
    }
    // every test container gets a cgroup under a parent of the tests' own, never the host's
    String cg = "/jrunc-test/" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
    ((ObjectNode) cfg.get("linux")).put("cgroupsPath", cg);
    synchronized (CGROUPS) {
      CGROUPS.add(cg);
    }
    return new Bundle(dir, cfg);
  }

  private static final List<String> CGROUPS = new java.util.ArrayList<>();

  /** The cgroup paths of the bundles made since the last call (CgroupLeakCheck checks them). */
  static List<String> takeCgroupPaths() {
    synchronized (CGROUPS) {
      List<String> l = List.copyOf(CGROUPS);
      CGROUPS.clear();
      return l;
    }
  }

  private static final java.util.concurrent.atomic.AtomicInteger COUNTER = new java.util.concurrent.atomic.AtomicInteger();

  private static synchronized List<String> applets() throws IOException {
    if (applets == null) {
      try {
        java.lang.Process p = new ProcessBuilder(BUSYBOX.toString(), "--list").start();
        applets = List.of(new String(p.getInputStream().readAllBytes()).trim().split("\n"));
        p.waitFor();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
    }
    return applets;
  }

  public ObjectNode process() {
    return (ObjectNode) config.get("process");
  }

  public ObjectNode linux() {
    return (ObjectNode) config.get("linux");
  }

  /** process.args = {@code sh -c script}. */
  public Bundle sh(String script) {
    ArrayNode a = process().putArray("args");
    a.add("sh").add("-c").add(script);
    return this;
  }

  public Bundle args(String... args) {
    ArrayNode a = process().putArray("args");
    for (String s : args) a.add(s);
    return this;
  }

  public Bundle edit(Consumer<ObjectNode> f) {
    f.accept(config);
    return this;
  }

  /** Removes the namespace of {@code type} from linux.namespaces. */
  public Bundle withoutNamespace(String type) {
    ArrayNode ns = (ArrayNode) linux().get("namespaces");
    for (int i = ns.size() - 1; i >= 0; i--) if (ns.get(i).get("type").asText().equals(type)) ns.remove(i);
    return this;
  }

  public Bundle addNamespace(String type, String path) {
    ObjectNode n = ((ArrayNode) linux().get("namespaces")).addObject().put("type", type);
    if (path != null) n.put("path", path);
    return this;
  }

  /**
   * A new user namespace mapping ids 0-65535 to {@code hostId} on, with the rootfs owned by
   * {@code hostId} (its root may then make mount points in it). The directories above the
   * bundle must let that uid through (a JUnit temporary directory is 0700).
   */
  public Bundle inUserNamespace(int hostId) throws IOException {
    addNamespace("user", null);
    linux().putArray("uidMappings").addObject().put("containerID", 0).put("hostID", hostId).put("size", 65536);
    linux().putArray("gidMappings").addObject().put("containerID", 0).put("hostID", hostId).put("size", 65536);
    try (var walk = Files.walk(dir.resolve("rootfs"))) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Files.setAttribute(p, "unix:uid", hostId, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", hostId, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      }
    }
    return this;
  }

  /**
   * Removes the tmpfs mount on /dev: the container then sees the image's own /dev (the runtime
   * still makes the default devices there, and mounts /dev/pts, /dev/shm and /dev/mqueue).
   */
  public Bundle withoutDevTmpfs() {
    ArrayNode m = (ArrayNode) config.get("mounts");
    for (int i = m.size() - 1; i >= 0; i--) if (m.get(i).get("destination").asText().equals("/dev")) m.remove(i);
    return this;
  }

  /** Puts the container in its own cgroup under the tests' parent, as the guide requires. */
  public Bundle cgroup(String id) {
    linux().put("cgroupsPath", "/jrunc-test/" + id);
    return this;
  }

  public Path write() throws IOException {
    Files.write(dir.resolve("config.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
    return dir;
  }

  public static JsonNode node(String json) throws IOException {
    return Json.mapper().readTree(json);
  }
}
