package io.jrunc.vmlane;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the cgroup tests with the JUnit launcher directly (no Maven inside the emulated VM,
 * where it would take minutes to start): {@code scripts/vm-test.sh} calls it. Prints every
 * test's outcome, including skip reasons, and exits non-zero on any failure.
 */
public final class VmLaneMain {
  public static void main(String[] args) {
    // one or more selectors, comma-separated: a package, a class (…Test) or a method (Class#method),
    // so one boot of the emulated VM runs several
    String sel = args.length > 0 ? args[0] : "io.jrunc.core.cgroup";
    java.util.List<org.junit.platform.engine.DiscoverySelector> selectors = new java.util.ArrayList<>();
    for (String one : sel.split(",")) {
      selectors.add(one.contains("#") ? org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod(one)
          : one.endsWith("Test") ? org.junit.platform.engine.discovery.DiscoverySelectors.selectClass(one) : selectPackage(one));
    }
    LauncherDiscoveryRequest req = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    launcher.execute(req, summary, new org.junit.platform.launcher.TestExecutionListener() {
      @Override
      public void executionStarted(org.junit.platform.launcher.TestIdentifier t) {
        if (t.isTest()) System.out.println("START " + t.getDisplayName() + " at " + java.time.LocalTime.now());
      }

      @Override
      public void executionSkipped(org.junit.platform.launcher.TestIdentifier t, String reason) {
        System.out.println("SKIPPED " + t.getDisplayName() + ": " + reason);
      }

      @Override
      public void executionFinished(org.junit.platform.launcher.TestIdentifier t, org.junit.platform.engine.TestExecutionResult r) {
        if (t.isTest()) {
          System.out.println(r.getStatus() + " " + t.getUniqueIdObject().getSegments().get(1).getValue() + " " + t.getDisplayName()
              + r.getThrowable().map(e -> "\n    " + e).orElse(""));
        }
      }
    });
    TestExecutionSummary s = summary.getSummary();
    s.printTo(new PrintWriter(System.out));
    s.printFailuresTo(new PrintWriter(System.out), 30);
    System.exit(s.getTotalFailureCount() == 0 ? 0 : 1);
  }
}
