package io.jrunc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The import picture of runtime-core, read from the sources: every reference to
 * {@code io.jrunc.core.X} (imports, static imports, fully qualified names in code; comments and
 * strings do not count) is an arrow from the file's package to the longest package that
 * prefixes it.
 *
 * <ul>
 *   <li>No package cycles: packages layer from {@code sys} up to {@code api}, so a change low
 *       down never has to know what sits above it. The arrows that still close a cycle are
 *       listed in {@link #ALLOWED_EDGES}, each with why; one that is no longer there fails the
 *       test too, so the list only shrinks.</li>
 *   <li>The API is the top floor: nothing below it references an {@code api} package, except
 *       the data-only leaves of {@link #API_LEAVES}.</li>
 *   <li>The CLI and the containerd shim use the library as an embedder does: from runtime-core
 *       they reference only the packages {@code module-info.java} exports ({@link #API}; the
 *       spec records of {@code io.jrunc.spec} are free), so both run on the module path and an
 *       embedder can do all they do. An internal class one of them still needs would be listed
 *       in {@link #ALLOWED_INTERNAL}, with why, under the same rule as the edges; today none is.</li>
 * </ul>
 */
class PackageDependenciesTest {

  static final String CORE = "io.jrunc.core";
  static final Path MODULE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
  static final Path CORE_SOURCES = MODULE.resolve("src/main/java");
  static final Path CLI_SOURCES = MODULE.resolve("../runtime-cli/src/main/java").normalize();
  static final Path SHIM_SOURCES = MODULE.resolve("../runtime-shim/src/main/java").normalize();

  /** The packages of runtime-core that an embedder (the CLI, the shim) may use: the exported ones. */
  static final Set<String> API = Set.of("api", "api.stats", "api.host");

  /** Arrows allowed to close a cycle ("from -> to", packages relative to io.jrunc.core), with why. */
  static final Map<String, String> ALLOWED_EDGES = Map.of(
      "cgroup -> cgroup.v1", "Cgroups, the factory in the base package, picks v1/v2/systemd for the host",
      "cgroup -> cgroup.v2", "Cgroups, the factory in the base package, picks v1/v2/systemd for the host",
      "cgroup -> cgroup.systemd", "Cgroups, the factory in the base package, picks v1/v2/systemd for the host");

  /**
   * The API packages below which the rest of core may still reach ("package" -> why); each must
   * be a leaf (it references nothing of io.jrunc.core), so the arrow can never close a loop.
   */
  static final Map<String, String> API_LEAVES = Map.of(
      "api.stats", "CgroupStats is plain data the cgroup managers fill and stats() returns as is;"
          + " it imports nothing of core");

  /** Internal classes of runtime-core the CLI or the shim still reference ("class" -> why). */
  static final Map<String, String> ALLOWED_INTERNAL = Map.of();

  @Test
  void coreHasNoPackageCycles() {
    Map<String, Map<String, Set<String>>> graph = references(CORE_SOURCES, packagesOf(CORE_SOURCES));
    List<String> stale = new ArrayList<>();
    for (String allowed : ALLOWED_EDGES.keySet()) {
      String[] e = allowed.split(" -> ");
      if (!graph.getOrDefault(e[0], Map.of()).containsKey(e[1])) stale.add(allowed);
    }
    assertThat(stale).as("ALLOWED_EDGES lists arrows that no longer exist: remove them").isEmpty();

    Map<String, Set<String>> checked = new TreeMap<>();
    graph.forEach((from, tos) -> {
      for (String to : tos.keySet()) {
        if (!ALLOWED_EDGES.containsKey(from + " -> " + to)) checked.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
      }
    });
    List<String> cycles = new ArrayList<>();
    for (Set<String> scc : stronglyConnected(checked)) {
      StringBuilder why = new StringBuilder("cycle among " + scc + ":");
      for (String from : scc) {
        for (String to : checked.getOrDefault(from, Set.of())) {
          if (scc.contains(to)) why.append("\n  ").append(from).append(" -> ").append(to)
              .append(" in ").append(graph.get(from).get(to));
        }
      }
      cycles.add(why.toString());
    }
    assertThat(cycles).as("package cycles in runtime-core (break one arrow of each; ALLOWED_EDGES only"
        + " with a reason)").isEmpty();
  }

  /**
   * The API is the top floor: the container layer throws its own {@code ContainerFailure} kinds and
   * takes its own request records, and the API translates both ways at its edge (issue 13). So no
   * package outside {@code api*} references an API package, except the data leaves of
   * {@link #API_LEAVES}.
   */
  @Test
  void nothingBelowTheApiReferencesIt() {
    Map<String, Map<String, Set<String>>> graph = references(CORE_SOURCES, packagesOf(CORE_SOURCES));
    List<String> upward = new ArrayList<>();
    graph.forEach((from, tos) -> {
      if (isApi(from)) return;
      tos.forEach((to, files) -> {
        if (isApi(to) && !API_LEAVES.containsKey(to)) upward.add(from + " -> " + to + " in " + files);
      });
    });
    assertThat(upward).as("packages below the API that reference it (throw and take the layer's own types;"
        + " translate in io.jrunc.core.api)").isEmpty();
    for (String leaf : API_LEAVES.keySet()) {
      assertThat(graph.getOrDefault(leaf, Map.of())).as(leaf + " must reference nothing of io.jrunc.core").isEmpty();
    }
  }

  static boolean isApi(String pkg) {
    return pkg.equals("api") || pkg.startsWith("api.");
  }

  @Test
  void exportsAreTheApi() throws IOException {
    String moduleInfo = codeOnly(Files.readString(CORE_SOURCES.resolve("module-info.java")));
    Set<String> exported = new TreeSet<>();
    Matcher m = Pattern.compile("\\bexports\\s+" + Pattern.quote(CORE) + "\\.([\\w.]+)\\s*;").matcher(moduleInfo);
    while (m.find()) exported.add(m.group(1));
    assertThat(exported).as("packages module-info.java exports (API must list the same)").isEqualTo(new TreeSet<>(API));
  }

  @Test
  void cliAndShimUseOnlyTheApiOfCore() {
    assertThat(CLI_SOURCES).as("the CLI's sources").isDirectory();
    assertThat(SHIM_SOURCES).as("the shim's sources").isDirectory();
    Set<String> corePackages = packagesOf(CORE_SOURCES);
    Map<String, Set<String>> internal = new TreeMap<>(); // class -> CLI/shim files
    for (Path sources : List.of(CLI_SOURCES, SHIM_SOURCES)) {
      forEachSource(sources, (file, code) -> {
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
          String ref = m.group();
          String pkg = longestPackage(ref, corePackages);
          if (pkg == null || API.contains(pkg)) continue;
          // the class the reference names (REFERENCE stops after it); a package alone: "pkg.*"
          String cls = ref.equals(CORE + "." + pkg) ? ref + ".*" : ref;
          internal.computeIfAbsent(cls, k -> new TreeSet<>())
              .add((sources == CLI_SOURCES ? "runtime-cli " : "runtime-shim ") + sources.relativize(file));
        }
      });
    }
    List<String> stale = ALLOWED_INTERNAL.keySet().stream().filter(c -> !internal.containsKey(c)).sorted().toList();
    assertThat(stale).as("ALLOWED_INTERNAL lists classes neither the CLI nor the shim uses: remove them").isEmpty();
    internal.keySet().removeAll(ALLOWED_INTERNAL.keySet());
    assertThat(internal).as("the CLI or the shim references internal classes of runtime-core (use"
        + " io.jrunc.core.api*, or add what it needs to an exported package)").isEmpty();
  }

  /** io.jrunc.core followed by lower-case segments, then at most one class name. */
  static final Pattern REFERENCE = Pattern.compile("\\bio\\.jrunc\\.core(?:\\.[a-z_][a-z0-9_]*)+(?:\\.[A-Z]\\w*)?");

  /** package -> referenced package -> files making that reference (packages relative to io.jrunc.core). */
  static Map<String, Map<String, Set<String>>> references(Path sources, Set<String> packages) {
    Map<String, Map<String, Set<String>>> graph = new TreeMap<>();
    forEachSource(sources, (file, code) -> {
      String from = relativePackage(sources, file);
      Matcher m = REFERENCE.matcher(code);
      while (m.find()) {
        String to = longestPackage(m.group(), packages);
        if (to != null && !to.equals(from)) {
          graph.computeIfAbsent(from, k -> new TreeMap<>()).computeIfAbsent(to, k -> new TreeSet<>())
              .add(file.getFileName().toString());
        }
      }
    });
    return graph;
  }

  static Set<String> packagesOf(Path sources) {
    Set<String> out = new TreeSet<>();
    forEachSource(sources, (file, code) -> out.add(relativePackage(sources, file)));
    return out;
  }

  static String relativePackage(Path sources, Path file) {
    String pkg = sources.relativize(file.getParent()).toString().replace('/', '.');
    return pkg.equals(CORE) ? "" : pkg.substring(CORE.length() + 1);
  }

  /** The longest known package (relative) that prefixes a reference, or null if none. */
  static String longestPackage(String ref, Set<String> packages) {
    String best = null;
    for (String p : packages) {
      String full = CORE + "." + p;
      if ((ref.equals(full) || ref.startsWith(full + ".")) && (best == null || p.length() > best.length())) best = p;
    }
    return best;
  }

  interface SourceVisitor {
    void visit(Path file, String codeWithoutCommentsAndStrings);
  }

  static void forEachSource(Path root, SourceVisitor v) {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        if (f.getFileName().toString().equals("module-info.java")) continue;
        v.visit(f, codeOnly(Files.readString(f)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("read sources under " + root, e);
    }
  }

  /** The source with comments, string and char literals blanked: javadoc links are no dependency. */
  static String codeOnly(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      if (s.startsWith("//", i)) {
        while (i < s.length() && s.charAt(i) != '\n') i++;
      } else if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? s.length() : end + 2;
        out.append(' ');
      } else if (s.startsWith("\"\"\"", i)) {
        int end = s.indexOf("\"\"\"", i + 3);
        i = end < 0 ? s.length() : end + 3;
        out.append("\"\"");
      } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
        char q = s.charAt(i++);
        while (i < s.length() && s.charAt(i) != q) i += s.charAt(i) == '\\' ? 2 : 1;
        i++;
        out.append(q).append(q);
      } else {
        out.append(s.charAt(i++));
      }
    }
    return out.toString();
  }

  /** Tarjan's strongly connected components with more than one member. */
  static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> out = new ArrayList<>();
    Set<String> nodes = new TreeSet<>(graph.keySet());
    graph.values().forEach(nodes::addAll);
    for (String n : nodes) {
      if (!index.containsKey(n)) connect(n, graph, index, low, stack, onStack, out);
    }
    return out;
  }

  private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<Set<String>> out) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, graph, index, low, stack, onStack, out);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> scc = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        scc.add(w);
      } while (!w.equals(v));
      if (scc.size() > 1) out.add(scc);
    }
  }
}
