package io.jrunc.core.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** Who runs work handed to OffCarrier, and what comes back. */
class OffCarrierTest {
  private static <T> T onVirtualThread(java.util.concurrent.Callable<T> c) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        f.complete(c.call());
      } catch (Throwable t) {
        f.completeExceptionally(t);
      }
    }).join();
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception x) throw x;
      throw e;
    }
  }

  @Test
  void aVirtualCallersWorkRunsOnAPoolThreadAndAPlatformCallersInPlace() throws Exception {
    String vt = onVirtualThread(() -> OffCarrier.onPlatformThread(() -> Thread.currentThread().getName()));
    assertThat(vt).isEqualTo("jrunc-wait");
    Thread me = Thread.currentThread();
    assertThat(OffCarrier.onPlatformThread(() -> Thread.currentThread())).isSameAs(me);
  }

  @Test
  void theWorksCheckedExceptionComesBackAsThrown() {
    assertThatThrownBy(() -> onVirtualThread(() -> OffCarrier.onPlatformThread(() -> {
      throw new IOException("open /x: no such file or directory (ENOENT)");
    }))).isInstanceOf(IOException.class).hasMessage("open /x: no such file or directory (ENOENT)");
  }

  @Test
  void withoutAThreadToHaveTheWorkRunsInPlace() throws Exception {
    boolean[] virtual = new boolean[1];
    onVirtualThread(() -> OffCarrier.onPlatformThread(r -> {
      throw new RejectedExecutionException("no thread");
    }, () -> virtual[0] = Thread.currentThread().isVirtual()));
    assertThat(virtual[0]).isTrue();
    onVirtualThread(() -> OffCarrier.onPlatformThread(r -> {
      throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
    }, () -> virtual[0] = false));
    assertThat(virtual[0]).isFalse();
  }
}
