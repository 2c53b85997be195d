package io.jrunc.core.security;

import io.jrunc.spec.LinuxIDMapping;
import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A process in a new user namespace waiting to be mapped: util-linux {@code unshare -U sleep}
 * (no Java after fork). Also a main for the rootless test, run as an unprivileged user:
 * {@code UserNsChild uidmaps gidmaps} with maps like {@code 0:1000:1,1:100000:65536}; prints
 * the resulting uid_map, gid_map and setgroups, separated by "|".
 */
final class UserNsChild implements AutoCloseable {
  final java.lang.Process process;

  UserNsChild() throws Exception {
    process = new ProcessBuilder("unshare", "-U", "sleep", "60").inheritIO().start();
    Path mine = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
    for (int i = 0; i < 500; i++) {
      try {
        if (!Files.readSymbolicLink(Path.of("/proc/" + pid() + "/ns/user")).equals(mine)) return;
      } catch (java.io.IOException e) {
        // not yet
      }
      Thread.sleep(10);
    }
    close();
    throw new IllegalStateException("unshare -U did not enter a new user namespace");
  }

  int pid() {
    return (int) process.pid();
  }

  String read(String file) throws Exception {
    try (var in = new FileInputStream("/proc/" + pid() + "/" + file)) {
      return new String(in.readAllBytes()).trim().replaceAll("\\s+", " ");
    }
  }

  @Override
  public void close() throws Exception {
    process.destroyForcibly();
    process.waitFor();
  }

  static List<LinuxIDMapping> parse(String s) {
    List<LinuxIDMapping> out = new ArrayList<>();
    if (s.isEmpty()) return out;
    for (String r : s.split(",")) {
      String[] f = r.split(":");
      out.add(new LinuxIDMapping(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    try (UserNsChild c = new UserNsChild()) {
      try {
        IdMapper.apply(c.pid(), parse(args[0]), parse(args[1]), IdMapper.Host.detect());
        System.out.println(c.read("uid_map") + "|" + c.read("gid_map") + "|" + c.read("setgroups"));
      } catch (Exception e) {
        System.out.println("ERROR " + e.getMessage());
      }
    }
  }
}
