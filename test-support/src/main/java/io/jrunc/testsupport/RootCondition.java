package io.jrunc.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The condition behind {@link RequiresRoot}: enabled when this JVM is root, skipped with the
 * reason otherwise, or failed when {@value #REQUIRE_PROPERTY} is true (CI).
 *
 * <p>Root is read from {@code /proc/self/status}, not asked of the runtime under test: the
 * gate must not depend on the code it gates (a broken FFM binding would otherwise skip the
 * tests that would show it).
 */
public final class RootCondition implements ExecutionCondition {
  /** System property: when true, a gated test fails instead of being skipped when not root. */
  public static final String REQUIRE_PROPERTY = "jrunc.test.requireRoot";

  /** capabilities(7): CAP_SYS_ADMIN, needed for clone3 with namespaces, mount, cgroupfs writes. */
  private static final int CAP_SYS_ADMIN = 21;

  private static volatile String missing;
  private static volatile boolean probed;

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<RequiresRoot> gate =
        context.getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, RequiresRoot.class));
    if (gate.isEmpty()) return ConditionEvaluationResult.enabled("no @RequiresRoot here");
    String lack = missingRoot();
    if (lack == null) return ConditionEvaluationResult.enabled("root");
    String reason = "needs root: " + gate.get().value() + " (" + lack + ")";
    if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
      throw new IllegalStateException(reason + "; -D" + REQUIRE_PROPERTY + "=true makes this a failure, not a skip");
    }
    return ConditionEvaluationResult.disabled(reason);
  }

  /** Null when this JVM is root, else what it lacks, e.g. "this JVM runs as uid 65534". */
  static String missingRoot() {
    if (!probed) {
      try {
        missing = missingRoot(Files.readString(Path.of("/proc/self/status")));
      } catch (IOException e) {
        throw new UncheckedIOException("read /proc/self/status to know whether the tests run as root", e);
      }
      probed = true;
    }
    return missing;
  }

  /**
   * The same from the text of proc(5) {@code /proc/PID/status}: its {@code Uid:} line lists the
   * real, effective, saved and filesystem uids; {@code CapEff:} the effective capabilities in hex.
   */
  static String missingRoot(String status) {
    String[] uid = field(status, "Uid:");
    String[] capEff = field(status, "CapEff:");
    if (uid.length < 2 || capEff.length < 1) return "no Uid or CapEff line in /proc/self/status";
    if (!uid[1].equals("0")) return "this JVM runs as uid " + uid[1];
    long caps = Long.parseUnsignedLong(capEff[0], 16);
    if ((caps & (1L << CAP_SYS_ADMIN)) == 0) {
      return "uid 0 without CAP_SYS_ADMIN, effective capabilities " + capEff[0];
    }
    return null;
  }

  private static String[] field(String status, String name) {
    return status.lines()
        .filter(l -> l.startsWith(name))
        .map(l -> l.substring(name.length()).trim().split("\\s+"))
        .findFirst()
        .orElse(new String[0]);
  }
}
