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
 * the test), a take in place, or nobody after a withdraw. (This JVM is not declared short-lived:
 * offer queues nothing, the test plays the helper.)
 */
@Timeout(30)
class ShortLivedJvmTest {
  @Test
  void takeRunsAnUnstartedTaskInPlaceAndOnlyOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ShortLivedJvm.Offered<String> f = ShortLivedJvm.offer(() -> runs.incrementAndGet() + "@" + Thread.currentThread().getName());
    String here = Thread.currentThread().getName();
    assertThat(ShortLivedJvm.take(f)).isEqualTo("1@" + here);
    f.run(); // the helper coming late: nothing
    assertThat(ShortLivedJvm.take(f)).isEqualTo("1@" + here);
    assertThat(runs).hasValue(1);
  }

  @Test
  void takeWaitsForATaskTheHelperRuns() throws Exception {
    CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
    ShortLivedJvm.Offered<String> f = ShortLivedJvm.offer(() -> {
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
    assertThat(ShortLivedJvm.take(f)).isEqualTo("helper");
  }

  @Test
  void aWithdrawnTaskNeverRunsAndOneRunningIsWaitedFor() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ShortLivedJvm.Offered<Integer> unstarted = ShortLivedJvm.offer(runs::incrementAndGet);
    ShortLivedJvm.withdraw(unstarted);
    unstarted.run(); // the helper reaching it in its queue
    assertThat(runs).hasValue(0);

    CountDownLatch started = new CountDownLatch(1);
    AtomicInteger finished = new AtomicInteger();
    ShortLivedJvm.Offered<Integer> running = ShortLivedJvm.offer(() -> {
      started.countDown();
      Thread.sleep(200);
      return finished.incrementAndGet();
    });
    new Thread(running, "helper").start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    ShortLivedJvm.withdraw(running);
    assertThat(finished).as("withdraw returned only after the running task ended").hasValue(1);
    ShortLivedJvm.withdraw(null); // nothing to do
  }

  @Test
  void aFailureIsThrownAsItWas() {
    ShortLivedJvm.Offered<String> f = ShortLivedJvm.offer(() -> {
      throw new InvalidConfigFailure(java.util.List.of("config.json: bad"));
    });
    assertThatThrownBy(() -> ShortLivedJvm.take(f)).isInstanceOf(InvalidConfigFailure.class).hasMessageContaining("bad");
    ShortLivedJvm.Offered<String> g = ShortLivedJvm.offer(() -> {
      throw new IllegalStateException("bug");
    });
    assertThatThrownBy(() -> ShortLivedJvm.take(g)).isInstanceOf(IllegalStateException.class).hasMessage("bug");
  }
}
