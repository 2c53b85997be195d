import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An A/B of two jrunc jars through the Java API in ONE warm JVM: each jar in a class loader of
 * its own, create+start+wait+delete of the bundle's process (a /bin/true) alternating A,B then
 * B,A, W warm-ups each, then N each. On a host whose speed drifts by tens of percent within
 * minutes, two JVMs run one after the other compare the drift; here both sides share every
 * moment, so the paired difference (B's container minus A's next to it) tells ~0.5 ms apart
 * (an A/A gives its noise). Each side keeps its own state root and helper thread; the JIT
 * warms both alike.
 *
 *   java --enable-native-access=ALL-UNNAMED scripts/bench/WarmAb.java A.jar B.jar BUNDLE_A BUNDLE_B [N] [W]
 *
 * The bundles must name different cgroups (linux.cgroupsPath). Prints the medians, the p90s
 * and the median of the paired differences, in ms.
 */
public class WarmAb {
  private static final class Side {
    private final Object rt;
    private final Path root;
    private final Method create, start, waitFor, delete, bundle;
    private final Path dir;

    Side(String name, Path jar, Path dir) throws Exception {
      this.dir = dir;
      ClassLoader cl = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
      Class<?> runtime = cl.loadClass("io.jrunc.core.api.ContainerRuntime");
      Class<?> options = cl.loadClass("io.jrunc.core.api.CreateOptions");
      Class<?> container = cl.loadClass("io.jrunc.core.api.Container");
      root = Path.of("/run/jrunc-warm-ab-" + ProcessHandle.current().pid() + "-" + name);
      rt = runtime.getMethod("open", Path.class).invoke(null, root);
      create = runtime.getMethod("create", String.class, options);
      bundle = options.getMethod("bundle", Path.class);
      start = container.getMethod("start");
      waitFor = container.getMethod("waitFor");
      delete = container.getMethod("delete", boolean.class);
    }

    long cycle(String id) throws Exception {
      long t0 = System.nanoTime();
      Object c = create.invoke(rt, id, bundle.invoke(null, dir));
      start.invoke(c);
      waitFor.invoke(c);
      delete.invoke(c, false);
      return System.nanoTime() - t0;
    }
  }

  public static void main(String[] args) throws Exception {
    Side a = new Side("A", Path.of(args[0]), Path.of(args[2]).toAbsolutePath());
    Side b = new Side("B", Path.of(args[1]), Path.of(args[3]).toAbsolutePath());
    int n = args.length > 4 ? Integer.parseInt(args[4]) : 300;
    int w = args.length > 5 ? Integer.parseInt(args[5]) : 40;
    for (int i = 0; i < w; i++) {
      a.cycle("w" + i);
      b.cycle("w" + i);
    }
    long[] ta = new long[n], tb = new long[n];
    double[] diff = new double[n];
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        ta[i] = a.cycle("m" + i);
        tb[i] = b.cycle("m" + i);
      } else {
        tb[i] = b.cycle("m" + i);
        ta[i] = a.cycle("m" + i);
      }
      diff[i] = (tb[i] - ta[i]) / 1e6;
    }
    Arrays.sort(ta);
    Arrays.sort(tb);
    Arrays.sort(diff);
    System.out.printf("A %.2f (p90 %.2f) | B %.2f (p90 %.2f) | B-A paired median %+.2f ms (%d each after %d)%n",
        ta[n / 2] / 1e6, ta[n * 9 / 10] / 1e6, tb[n / 2] / 1e6, tb[n * 9 / 10] / 1e6, diff[n / 2], n, w);
    for (Side s : new Side[] {a, b}) {
      try {
        java.nio.file.Files.deleteIfExists(s.root);
      } catch (java.io.IOException e) {
        // a cache file of the runtime's left in it: the directory stays
      }
    }
  }
}
