package io.jrunc.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrunc.core.sys.SysException;
import io.jrunc.spec.LinuxIDMapping;
import io.jrunc.testsupport.RequiresRoot;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IdMapperTest {
  static LinuxIDMapping map(long c, long h, long s) {
    return new LinuxIDMapping(c, h, s);
  }

  @Test
  void formatAndOwnGid() {
    assertThat(IdMapper.format(List.of(map(0, 1000, 1), map(1, 100000, 65536)), "linux.uidMappings"))
        .isEqualTo("0 1000 1\n1 100000 65536\n");
    assertThatThrownBy(() -> IdMapper.format(List.of(new LinuxIDMapping(0L, null, 1L)), "linux.gidMappings"))
        .hasMessage("linux.gidMappings[0]: containerID, hostID and size are required");
    assertThat(IdMapper.ownGidOnly(List.of(map(0, 1000, 1)), 1000)).isTrue();
    assertThat(IdMapper.ownGidOnly(List.of(map(0, 1000, 2)), 1000)).isFalse();
    assertThat(IdMapper.ownGidOnly(List.of(map(0, 1000, 1), map(1, 100000, 10)), 1000)).isFalse();
    assertThat(IdMapper.ownGidOnly(null, 1000)).isFalse();
  }

  @Test
  void rootlessLikeRunc() {
    assertThat(IdMapper.rootless("true", 0, false, false, null)).isTrue();
    assertThat(IdMapper.rootless("false", 1000, true, false, null)).isFalse();
    assertThat(IdMapper.rootless("auto", 1000, false, false, null)).isTrue();
    assertThat(IdMapper.rootless(null, 0, false, false, null)).isFalse();
    assertThat(IdMapper.rootless("auto", 0, true, false, null)).isFalse();
    assertThat(IdMapper.rootless("auto", 0, true, true, 1000)).isTrue();
    assertThat(IdMapper.rootless("auto", 0, true, true, 0)).isFalse();
    assertThatThrownBy(() -> IdMapper.rootless("maybe", 0, false, false, null))
        .hasMessage("--rootless: invalid value \"maybe\" (want true, false or auto)");
    assertThat(IdMapper.inUserNamespace("         0          0 4294967295\n")).isFalse();
    assertThat(IdMapper.inUserNamespace("0 1000 1\n")).isTrue();
    assertThat(IdMapper.inUserNamespace()).isFalse(); // this machine: real root
  }

  @RequiresRoot("writes another process's uid_map and gid_map with host ranges")
  @Test
  void rootMapsARangeDirectly() throws Exception {
    try (UserNsChild c = new UserNsChild()) {
      IdMapper.apply(c.pid(), List.of(map(0, 100000, 65536)), List.of(map(0, 200000, 1000), map(1000, 300000, 10)),
          IdMapper.Host.detect());
      assertThat(c.read("uid_map")).isEqualTo("0 100000 65536");
      assertThat(c.read("gid_map")).isEqualTo("0 200000 1000 1000 300000 10");
      assertThat(c.read("setgroups")).isEqualTo("allow");
    }
  }

  @RequiresRoot("writes another process's uid_map and gid_map with host ranges")
  @Test
  void aMapCanBeWrittenOnlyOnceAndTheErrorSaysWhere() throws Exception {
    try (UserNsChild c = new UserNsChild()) {
      IdMapper.apply(c.pid(), List.of(map(0, 100000, 10)), null, IdMapper.Host.detect());
      assertThatThrownBy(() -> IdMapper.apply(c.pid(), List.of(map(0, 100000, 10)), null, IdMapper.Host.detect()))
          .isInstanceOf(SysException.class)
          .hasMessage("write linux.uidMappings to /proc/" + c.pid() + "/uid_map: operation not permitted (EPERM)");
    }
  }

  /** As an unprivileged user: its own ids directly (setgroups denied), more through newuidmap/newgidmap. */
  @RequiresRoot("creates a test user and its subordinate ids")
  @Test
  void rootlessUserMapsOwnIdsDirectlyAndSubordinateRangesWithTheTools() throws Exception {
    assumeTrue(IdMapper.which("newuidmap") != null && IdMapper.which("su") != null, "needs uidmap and su");
    String user = "jrunc-rootless-test";
    Path tmp = Files.createTempDirectory("jrunc-idmap");
    boolean createdUser = run("id", "-u", user).exit != 0;
    List<Path> createdFiles = new ArrayList<>();
    List<String[]> addedLines = new ArrayList<>();
    try {
      if (createdUser) assertThat(run("useradd", "-m", "-s", "/bin/sh", user).exit).isZero();
      int uid = Integer.parseInt(run("id", "-u", user).out.trim());
      int gid = Integer.parseInt(run("id", "-g", user).out.trim());
      long sub = ensureSubIds(user, createdFiles, addedLines);
      // A classpath the user can read: copy the jars out of root's ~/.m2.
      StringBuilder cp = new StringBuilder();
      for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path p = Path.of(e);
        if (Files.isRegularFile(p)) {
          Path dst = tmp.resolve(p.getFileName());
          Files.copy(p, dst, StandardCopyOption.REPLACE_EXISTING);
          p = dst;
        }
        cp.append(cp.isEmpty() ? "" : ":").append(p);
      }
      run("chmod", "-R", "a+rX", tmp.toString());
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      // no hsperfdata: its /tmp/hsperfdata_<user> directory would outlive the user
      String base = java + " -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -cp " + cp + " " + UserNsChild.class.getName();

      Result own = run("su", "-s", "/bin/sh", user, "-c", base + " 0:" + uid + ":1 0:" + gid + ":1");
      assertThat(own.last()).isEqualTo("0 " + uid + " 1|0 " + gid + " 1|deny");

      Result tools = run("su", "-s", "/bin/sh", user, "-c",
          base + " 0:" + uid + ":1,1:" + sub + ":65536 0:" + gid + ":1,1:" + sub + ":65536");
      assertThat(tools.last()).isEqualTo("0 " + uid + " 1 1 " + sub + " 65536|0 " + gid + " 1 1 " + sub
          + " 65536|allow");

      Result refused = run("su", "-s", "/bin/sh", user, "-c", base + " 0:" + uid + ":1,1:1:10 0:" + gid + ":1");
      assertThat(refused.last()).startsWith("ERROR /usr/bin/newuidmap ").contains("exit status 1");
    } finally {
      if (createdUser) run("userdel", "-r", user);
      for (String[] l : addedLines) removeLine(Path.of(l[0]), l[1]);
      for (Path f : createdFiles) Files.deleteIfExists(f);
      run("rm", "-rf", tmp.toString());
    }
  }

  private static long ensureSubIds(String user, List<Path> createdFiles, List<String[]> addedLines) throws Exception {
    long start = -1;
    for (String f : List.of("/etc/subuid", "/etc/subgid")) {
      Path p = Path.of(f);
      if (!Files.exists(p)) {
        Files.writeString(p, "");
        createdFiles.add(p);
      }
      String existing = Files.readAllLines(p).stream().filter(l -> l.startsWith(user + ":")).findFirst().orElse(null);
      if (existing != null) {
        start = Long.parseLong(existing.split(":")[1]);
        continue;
      }
      if (start < 0) start = 3_000_000_000L; // far from SUB_UID_MIN ranges other users get
      String line = user + ":" + start + ":65536";
      Files.writeString(p, line + "\n", java.nio.file.StandardOpenOption.APPEND);
      addedLines.add(new String[] {f, line});
    }
    return start;
  }

  private static void removeLine(Path p, String line) throws Exception {
    if (!Files.exists(p)) return;
    List<String> keep = Files.readAllLines(p).stream().filter(l -> !l.equals(line)).toList();
    Files.write(p, keep);
  }

  record Result(int exit, String out) {
    /** The last line: the child JVM may print logging warnings before its answer. */
    String last() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1].strip();
    }
  }

  static Result run(String... cmd) throws Exception {
    java.lang.Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  @Test
  void effectiveIdsAreTheSecondFieldOfTheirLine() {
    String status = "Name:\tjava\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t5\t7\t7\t7\n";
    assertThat(IdMapper.Ids.field(status, "Uid:")).isZero();
    assertThat(IdMapper.Ids.field(status, "Gid:")).isEqualTo(7);
    assertThatThrownBy(() -> IdMapper.Ids.field("Name:\tx\nUid:\t1\n", "Uid:")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> IdMapper.Ids.field("Name:\tx\n", "Gid:")).isInstanceOf(IllegalStateException.class);
    assertThat(IdMapper.effectiveUid()).isEqualTo(io.jrunc.core.sys.Libc.geteuid());
  }

  @Test
  void wordsSplitAsTrimAndTheWhitespaceRegex() {
    for (String s : List.of("0 0 4294967295", "         0          0 4294967295\n", "\t1\t2\n3\r", "", "   ",
        "a", " a ", "a\u000bb\fc", "0 1000 1\n1 100000 65536\n")) {
      assertThat(IdMapper.words(s)).as("'%s'", s).containsExactly(s.trim().split("\\s+"));
    }
    assertThat(IdMapper.inUserNamespace("         0          0 4294967295\n")).isFalse();
    assertThat(IdMapper.inUserNamespace("         0       1000          1\n")).isTrue();
  }
}
