package io.jrunc.core.api;

import io.jrunc.core.sys.Libc;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * This JVM's ends of a process's {@link Stdio.Pipe} streams (stdin's write end, stdout's and
 * stderr's read ends; -1 where the stream is no pipe), for {@link Container} and
 * {@link ContainerProcess}. Each stream handed out is an end of its own (/proc/self/fd/N opened
 * again): closing it leaves these. The closes are guarded by the array, not the owner, whose
 * waitFor may block meanwhile; a closed end is -1, never closed twice.
 */
final class CallerPipes {
  private final int[] fds;

  CallerPipes(int[] fds) {
    this.fds = fds;
  }

  InputStream stdout() throws IOException {
    return fds[1] < 0 ? null : new FileInputStream("/proc/self/fd/" + fds[1]);
  }

  InputStream stderr() throws IOException {
    return fds[2] < 0 ? null : new FileInputStream("/proc/self/fd/" + fds[2]);
  }

  OutputStream stdin() throws IOException {
    return fds[0] < 0 ? null : new FileOutputStream("/proc/self/fd/" + fds[0]);
  }

  void closeStdin() {
    close(0, 1);
  }

  void closeAll() {
    close(0, 3);
  }

  private void close(int from, int to) {
    synchronized (fds) {
      for (int i = from; i < to; i++) {
        if (fds[i] >= 0) Libc.close(fds[i]);
        fds[i] = -1;
      }
    }
  }
}
