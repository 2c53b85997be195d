package io.jrunc.core.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jrunc.core.failure.InvalidConfigFailure;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An offered task runs once, on whichever thread claims it first: the helper (here a thread of
 * the test, on a helper of the test's own that starts no thread), a take in place, or nobody
 * after a withdraw. And the JVM's helper: one daemon thread, started by the first offer, serves
 * every later one.
 */
@Timeout(30)
class CreateHelperTest {
  private final CreateHelper helper = new CreateHelper(false);

  @Test
  void takeRunsAnUnstartedTaskInPlaceAndOnlyOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CreateHelper.Offered<String> f = helper.queue(() -> runs.incrementAndGet() + "@" + Thread.currentThread().getName());
    String here = Thread.currentThread().getName();
    assertThat(CreateHelper.take(f)).isEqualTo("1@" + here);
    f.run(); // the helper coming late: nothing
    assertThat(CreateHelper.take(f)).isEqualTo("1@" + here);
    assertThat(runs).hasValue(1);
  }

  @Test
  void takeWaitsForATaskTheHelperRuns() throws Exception {
    CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
    CreateHelper.Offered<String> f = helper.queue(() -> {
      started.countDown();
      release.await();
      return Thread.currentThread().getName();
    });
    Thread helper = new Thread(f, "helper");
    helper.start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    new Thread(() -> {
      try {
        Thread.sleep(100);
      } catch (InterruptedException ignored) {
        // released at once then
      }
      release.countDown();
    }).start();
    assertThat(CreateHelper.take(f)).isEqualTo("helper");
  }

  @Test
  void aWithdrawnTaskNeverRunsAndOneRunningIsWaitedFor() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    CreateHelper.Offered<Integer> unstarted = helper.queue(runs::incrementAndGet);
    CreateHelper.withdraw(unstarted);
    unstarted.run(); // the helper reaching it in its queue
    assertThat(runs).hasValue(0);

    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger finished = new AtomicInteger();
    CreateHelper.Offered<Integer> running = helper.queue(() -> {
      started.countDown();
      Thread.sleep(200);
      return finished.incrementAndGet();
    });
    new Thread(running, "helper").start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    CreateHelper.withdraw(running);
    assertThat(finished).as("withdraw returned only after the running task ended").hasValue(1);
    CreateHelper.withdraw(null); // nothing to do
  }

  @Test
  void aFailureIsThrownAsItWas() {
    CreateHelper.Offered<String> f = helper.queue(() -> {
      throw new InvalidConfigFailure(java.util.List.of("config.json: bad"));
    });
    assertThatThrownBy(() -> CreateHelper.take(f)).isInstanceOf(InvalidConfigFailure.class).hasMessageContaining("bad");
    CreateHelper.Offered<String> g = helper.queue(() -> {
      throw new IllegalStateException("bug");
    });
    assertThatThrownBy(() -> CreateHelper.take(g)).isInstanceOf(IllegalStateException.class).hasMessage("bug");
  }

  @Test
  void theJvmsHelperIsOneDaemonThreadForEveryOffer() throws Exception {
    java.util.Set<Thread> servers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 20; i++) {
      CountDownLatch ran = new CountDownLatch(1);
      CreateHelper.Offered<Void> f = CreateHelper.offer(() -> {
        servers.add(Thread.currentThread());
        ran.countDown();
        return null;
      });
      // served by the helper, not by the take below (which would run it on this thread)
      assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
      CreateHelper.take(f);
    }
    assertThat(servers).hasSize(1);
    Thread t = servers.iterator().next();
    assertThat(t.getName()).isEqualTo("jrunc-create-helper");
    assertThat(t.isDaemon()).as("never keeps an embedder's JVM alive").isTrue();
  }

  @Test
  void aHelperThatStartsNoThreadLeavesTheTaskToTake() throws Exception {
    CreateHelper.Offered<String> f = helper.queue(() -> Thread.currentThread().getName());
    assertThat(helper.waiting()).isEqualTo(1);
    assertThat(CreateHelper.take(f)).isEqualTo(Thread.currentThread().getName());
  }
}
