package io.jrunc.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.jrunc.testsupport.RequiresRoot;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every verb at once on one container, as engines and users may race them (a `docker rm -f`
 * while a stop's kill and a probe's exec are under way): each call works or fails with one of
 * runc's state errors, the words engines act on ("does not exist", "not running", ...), never
 * an I/O error naming a file of the state directory or "is being created" for a container being
 * deleted; and once the last delete is done nothing is left.
 */
@RequiresRoot("runs containers with cgroups")
class ConcurrentVerbsTest {
  @TempDir Path tmp;

  /** The errors a verb on a container another call is changing may give (runc's words). */
  private static final Pattern STATE_ERROR = Pattern.compile(".*(container does not exist|container not running"
      + "|container not paused|cannot start an already running container|cannot start a container that has stopped"
      + "|cannot start a container in the paused state"
      // a pause that met a dying init (the kernel's pid namespace teardown is not freezable):
      // it thaws again and says so after its 10 s, as runc's does
      + "|freezer.state did not become FROZEN within 10 s|timed out after 10 s waiting for cgroup.events to say frozen 1"
      + "|cannot exec in a stopped container|cannot exec in a paused container|that is not stopped: (running|paused)"
      // an exec whose process joins its v1 cgroups by itself, after exec has let go of the lock:
      // a delete that removed them first makes that join fail (runc's exec takes no lock at all)
      + "|exec failed: add the exec'd process to cgroup [^ ]+: open [^ ]+/(tasks|cgroup.procs): no such file or directory \\(ENOENT\\)).*");

  @Test
  void racingVerbsGiveStateErrorsAndLeaveNothing() throws Exception {
    Jrunc j = new Jrunc(tmp.resolve("root"));
    String bundle = Bundle.busybox(tmp.resolve("b")).args("sleep", "100000").write().toString();
    List<String[]> verbs = List.of(
        new String[] {"start", "c"}, new String[] {"kill", "c", "KILL"}, new String[] {"delete", "--force", "c"},
        new String[] {"state", "c"}, new String[] {"delete", "--force", "c"}, new String[] {"start", "c"},
        new String[] {"kill", "c", "TERM"}, new String[] {"exec", "c", "true"}, new String[] {"pause", "c"},
        new String[] {"resume", "c"}, new String[] {"delete", "c"}, new String[] {"ps", "c"});
    List<String> unexpected = new ArrayList<>();
    // a thread per call: all twelve JVMs start at once (the common pool has one thread on 2 cores)
    ExecutorService pool = Executors.newFixedThreadPool(verbs.size());
    try {
      for (int round = 0; round < 6; round++) {
        var created = j.run("create", "--bundle", bundle, "c");
        assertThat(created.exit()).as(created.toString()).isZero();
        List<CompletableFuture<Jrunc.Result>> calls = new ArrayList<>();
        for (String[] v : verbs) {
          calls.add(CompletableFuture.supplyAsync(() -> {
            try {
              return j.run(v);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }, pool));
        }
        for (int i = 0; i < calls.size(); i++) {
          Jrunc.Result r = calls.get(i).join();
          // exec's own status is its process's: 137 when the container's end killed it
          boolean killedExec = verbs.get(i)[0].equals("exec") && r.exit() == 137 && r.err().isBlank();
          if (r.exit() != 0 && !killedExec && !STATE_ERROR.matcher(r.err().strip()).matches()) {
            unexpected.add(String.join(" ", verbs.get(i)) + ": " + r);
          }
        }
        var last = j.run("delete", "--force", "c");
        assertThat(last.exit()).as(last.toString()).isZero();
        assertThat(j.run("list", "-q").out()).isEmpty();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(unexpected).isEmpty();
  }
}
