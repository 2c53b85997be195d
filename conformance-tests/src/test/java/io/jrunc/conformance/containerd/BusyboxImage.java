package io.jrunc.conformance.containerd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A one-layer busybox image as an OCI image layout archive, for {@code ctr image import}: no
 * registry is reachable from the build machine or CI, so the image is made from Debian's
 * busybox-static.
 *
 * <table>
 *   <caption>The archive (image-spec 1.0 image layout)</caption>
 *   <tr><th>entry</th><th>content</th></tr>
 *   <tr><td>{@code oci-layout}</td><td>{@code {"imageLayoutVersion":"1.0.0"}}</td></tr>
 *   <tr><td>{@code index.json}</td><td>a manifest per image name, named by {@code io.containerd.image.name}
 *       (the name ctr gives the imported image) and {@code org.opencontainers.image.ref.name}</td></tr>
 *   <tr><td>{@code blobs/sha256/M}</td><td>a manifest: config + the one uncompressed layer</td></tr>
 *   <tr><td>{@code blobs/sha256/C}</td><td>a config: linux/amd64, PATH, Cmd, {@code diff_ids} = the layer's digest</td></tr>
 *   <tr><td>{@code blobs/sha256/L}</td><td>the layer: {@code bin/busybox}, a symlink per applet,
 *       {@code /proc /sys /dev /tmp /etc /root}, owned by 0:0</td></tr>
 * </table>
 */
final class BusyboxImage {
  static final Path BUSYBOX = Path.of("/bin/busybox");
  static final String NAME = "localhost/jrunc-shimtest/busybox:latest";
  static final String SANDBOX_NAME = "localhost/jrunc-shimtest/busybox-sandbox:latest";

  private BusyboxImage() {}

  /** Writes the archive under {@code work} and returns its path. */
  static Path build(Path work) throws IOException, InterruptedException {
    return build(work, List.of(new Tag(NAME, List.of("sh"))));
  }

  /**
   * The archive with {@link #NAME} and, on the same layer, {@link #SANDBOX_NAME}: a config whose
   * command sleeps (as good as) forever, for the CRI's {@code sandbox_image} (a pod's first
   * container, which only holds the pod's namespaces; the CRI stops it with SIGKILL).
   */
  static Path buildWithSandbox(Path work) throws IOException, InterruptedException {
    return build(work, List.of(new Tag(NAME, List.of("sh")), new Tag(SANDBOX_NAME, List.of("sleep", "2147483647"))));
  }

  /** An image name of the archive and its config's {@code Cmd} (plain words, no quoting needed). */
  private record Tag(String name, List<String> cmd) {
    String cmdJson() {
      return cmd.stream().map(w -> "\"" + w + "\"").collect(java.util.stream.Collectors.joining(",", "[", "]"));
    }
  }

  private static Path build(Path work, List<Tag> tags) throws IOException, InterruptedException {
    Path rootfs = work.resolve("image-rootfs");
    Files.createDirectories(rootfs.resolve("bin"));
    for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "root")) Files.createDirectories(rootfs.resolve(d));
    Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"));
    Exec.Result list = Exec.run(List.of(BUSYBOX.toString(), "--list"), null, 30);
    for (String applet : list.out().trim().split("\n")) {
      Path link = rootfs.resolve("bin").resolve(applet);
      if (!Files.exists(link)) Files.createSymbolicLink(link, Path.of("busybox"));
    }
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\n");
    // an executable the kernel will not exec (no #!): ENOEXEC after start
    Path noshebang = Files.writeString(rootfs.resolve("bin/noshebang"), "echo ran\n");
    Files.setPosixFilePermissions(noshebang, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));

    Path layout = work.resolve("image-layout");
    Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
    Path layerTar = work.resolve("layer.tar");
    tar(rootfs, layerTar);
    Blob layer = Blob.move(layerTar, blobs);
    StringBuilder manifests = new StringBuilder();
    for (Tag tag : tags) {
      Blob config = Blob.write(blobs, """
          {"architecture":"amd64","os":"linux",\
          "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":%s},\
          "rootfs":{"type":"layers","diff_ids":["%s"]}}""".formatted(tag.cmdJson(), layer.digest()));
      Blob manifest = Blob.write(blobs, """
          {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
          "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
          "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}"""
          .formatted(config.digest(), config.size(), layer.digest(), layer.size()));
      if (!manifests.isEmpty()) manifests.append(',');
      manifests.append("""
          {"mediaType":"application/vnd.oci.image.manifest.v1+json",\
          "digest":"%s","size":%d,"annotations":{"io.containerd.image.name":"%s",\
          "org.opencontainers.image.ref.name":"latest"}}""".formatted(manifest.digest(), manifest.size(), tag.name()));
    }
    Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + manifests + "]}");
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Path archive = work.resolve("busybox-oci.tar");
    tar(layout, archive);
    return archive;
  }

  /** GNU tar of {@code dir}'s content, owned by 0:0, in a stable order. */
  private static void tar(Path dir, Path out) throws IOException, InterruptedException {
    Exec.Result r = Exec.run(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "--sort=name",
        "-C", dir.toString(), "-cf", out.toString(), "."), null, 60);
    if (r.exit() != 0) throw new IOException("tar " + dir + " into " + out + ": " + r);
  }

  /** A content-addressed blob of the layout: {@code sha256:HEX} and its size in bytes. */
  private record Blob(String digest, long size) {
    static Blob write(Path blobs, String json) throws IOException {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      String hex = sha256(bytes);
      Files.write(blobs.resolve(hex), bytes);
      return new Blob("sha256:" + hex, bytes.length);
    }

    static Blob move(Path file, Path blobs) throws IOException {
      String hex;
      try (var in = Files.newInputStream(file)) {
        MessageDigest md = newSha256();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        hex = HexFormat.of().formatHex(md.digest());
      }
      long size = Files.size(file);
      Files.move(file, blobs.resolve(hex));
      return new Blob("sha256:" + hex, size);
    }

    private static String sha256(byte[] bytes) {
      return HexFormat.of().formatHex(newSha256().digest(bytes));
    }

    private static MessageDigest newSha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK has no SHA-256", e);
      }
    }
  }
}
