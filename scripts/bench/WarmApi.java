import io.jrunc.core.api.Container;
import io.jrunc.core.api.ContainerRuntime;
import io.jrunc.core.api.CreateOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The Java API in a warm JVM: create + start + wait + delete of the bundle's process (a
 * /bin/true), N times after W warm-ups, then the same from 2 threads. Prints one markdown row
 * each: median and p90 wall time per container, containers per second, the JVM's own CPU per
 * container (the containers' CPU is not the runtime's) and the JIT compilers' time per container.
 * Then the warm path of exec: `true` in a running container, N times after W warm-ups. The
 * containers sit in a parent cgroup that is there throughout, as an engine's ({@link #makeParents}).
 *
 *   java --enable-native-access=ALL-UNNAMED -cp runtime-cli/target/jrunc.jar scripts/bench/WarmApi.java BUNDLE [N] [W]
 */
public class WarmApi {
  public static void main(String[] args) throws Exception {
    Path bundle = Path.of(args[0]).toAbsolutePath();
    // one bundle per thread: the same rootfs, a cgroup of its own under /jrunc-bench-warm
    for (int t = 0; t < 2; t++) {
      var m = new com.fasterxml.jackson.databind.ObjectMapper();
      var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(bundle.resolve("config.json").toFile());
      ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("root")).put("path", bundle.resolve("rootfs").toString());
      ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("linux")).put("cgroupsPath", "/jrunc-bench-warm/t" + t);
      java.nio.file.Files.createDirectories(BUNDLES[t]);
      m.writeValue(BUNDLES[t].resolve("config.json").toFile(), cfg);
    }
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int warm = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    Path state = Path.of("/run/jrunc-bench-warm-" + ProcessHandle.current().pid());
    java.util.List<Path> parents = makeParents();
    ContainerRuntime rt = ContainerRuntime.open(state);
    try {
      measure(rt, n, warm);
    } finally {
      // whatever failed, nothing of the run is left: its containers, state root and parents
      for (String id : rt.list()) rt.delete(id, true);
      java.nio.file.Files.deleteIfExists(state);
      for (Path p : parents) java.nio.file.Files.deleteIfExists(p);
    }
  }

  private static void measure(ContainerRuntime rt, int n, int warm) throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int i = 0; i < warm; i++) cycle(rt, "w" + i);
    long jit0 = jitMillis();
    long[] ns = new long[n];
    long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      cycle(rt, "s" + i);
      ns[i] = System.nanoTime() - s;
    }
    long wall = System.nanoTime() - t0, cpu = os.getProcessCpuTime() - cpu0;
    Arrays.sort(ns);
    System.out.printf("| 1 thread | %.1f | %.1f | %.0f | %.1f | %.1f |%n", ns[n / 2] / 1e6, ns[n * 9 / 10] / 1e6, n / (wall / 1e9),
        cpu / 1e6 / n, jitPer(jit0, n));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    cpu0 = os.getProcessCpuTime();
    jit0 = jitMillis();
    t0 = System.nanoTime();
    Future<?>[] fs = new Future<?>[n];
    long[] pns = new long[n];
    for (int i = 0; i < n; i++) {
      int k = i;
      fs[i] = pool.submit(() -> {
        long s = System.nanoTime();
        cycle(rt, "p" + k);
        pns[k] = System.nanoTime() - s;
        return null;
      });
    }
    for (Future<?> f : fs) f.get();
    wall = System.nanoTime() - t0;
    cpu = os.getProcessCpuTime() - cpu0;
    pool.shutdown();
    Arrays.sort(pns);
    System.out.printf("| 2 threads | %.1f | %.1f | %.0f | %.1f | %.1f |%n", pns[n / 2] / 1e6, pns[n * 9 / 10] / 1e6,
        n / (wall / 1e9), cpu / 1e6 / n, jitPer(jit0, n));
    exec(rt, os, n, warm);
  }

  /**
   * The containers' parent cgroup, /jrunc-bench-warm in every hierarchy, made before the first
   * container and removed after the last, as an engine's parent is there (containerd's
   * /default, podman's machine.slice, a kubelet's pod): jrunc removes a parent that a
   * container's create made, so without it every container made and removed the parent too.
   * Returns what it made.
   */
  private static java.util.List<Path> makeParents() throws java.io.IOException {
    java.util.List<Path> made = new java.util.ArrayList<>();
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      int dash = java.util.Arrays.asList(f).indexOf("-");
      if (dash < 0 || !(f[dash + 1].equals("cgroup") || f[dash + 1].equals("cgroup2"))) continue;
      Path p = Path.of(f[4], "jrunc-bench-warm");
      if (!java.nio.file.Files.isDirectory(p)) {
        java.nio.file.Files.createDirectory(p);
        made.add(0, p);
      }
    }
    return made;
  }

  /**
   * The warm path of exec: one running container (sleep), then exec of `true` in it and wait,
   * N times after W warm-ups. One more row: "exec (1 thread)".
   */
  private static void exec(ContainerRuntime rt, com.sun.management.OperatingSystemMXBean os, int n, int warm)
      throws Exception {
    var m = new com.fasterxml.jackson.databind.ObjectMapper();
    var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) m.readTree(BUNDLES[0].resolve("config.json").toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("process")).putArray("args").add("sleep").add("600");
    ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("linux")).put("cgroupsPath", "/jrunc-bench-warm/exec");
    Path b = Path.of("/tmp/jrunc-bench-warm/exec");
    java.nio.file.Files.createDirectories(b);
    m.writeValue(b.resolve("config.json").toFile(), cfg);
    Container c = rt.create("exec", CreateOptions.bundle(b));
    try {
      c.start();
      io.jrunc.spec.Process proc = rt.savedConfig("exec").process().withArgs(java.util.List.of("true"));
      for (int i = 0; i < warm; i++) c.exec(proc, io.jrunc.core.api.ExecOptions.defaults()).waitFor();
      long[] ns = new long[n];
      long jit0 = jitMillis();
      long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        c.exec(proc, io.jrunc.core.api.ExecOptions.defaults()).waitFor();
        ns[i] = System.nanoTime() - s;
      }
      long wall = System.nanoTime() - t0, cpu = os.getProcessCpuTime() - cpu0;
      Arrays.sort(ns);
      System.out.printf("| exec of true + wait, 1 thread | %.1f | %.1f | %.0f | %.1f | %.1f |%n", ns[n / 2] / 1e6,
          ns[n * 9 / 10] / 1e6, n / (wall / 1e9), cpu / 1e6 / n, jitPer(jit0, n));
    } finally {
      c.kill(9);
      c.waitFor();
      c.delete(true);
    }
  }

  /**
   * The JIT compilers' time (the JVM's estimate, summed over its compiler threads) per container
   * since {@code since}: the part of the JVM's CPU that the containers do not need once the JIT
   * has settled, and that competes with them for this host's cores until then.
   */
  private static final java.lang.management.CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

  private static double jitPer(long since, int n) {
    return (jitMillis() - since) / (double) n;
  }

  /** The compilers' time so far; 0 in a JVM without a JIT (-Xint), which has no such bean. */
  private static long jitMillis() {
    return JIT == null ? 0 : JIT.getTotalCompilationTime();
  }

  private static final Path[] BUNDLES = {Path.of("/tmp/jrunc-bench-warm/t0"), Path.of("/tmp/jrunc-bench-warm/t1")};
  private static final ThreadLocal<Integer> SLOT = new ThreadLocal<>();
  private static final java.util.concurrent.atomic.AtomicInteger SLOTS = new java.util.concurrent.atomic.AtomicInteger();

  private static void cycle(ContainerRuntime rt, String id) throws Exception {
    if (SLOT.get() == null) SLOT.set(SLOTS.getAndIncrement() % 2);
    Container c = rt.create(id, CreateOptions.bundle(BUNDLES[SLOT.get()]));
    c.start();
    c.waitFor();
    c.delete(false);
  }
}
