package io.jrunc.core.state;

import java.nio.file.Path;

/**
 * Another process for {@link StateStoreTest}: takes a container's lock, says "locked", and holds
 * it until its stdin closes. fcntl locks are per process, so only another process shows that
 * they serialise commands.
 */
final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    try (StateStore.Lock lock = new StateStore(Path.of(args[0])).lock(args[1])) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the lock until the test closes our stdin
      }
    }
  }
}
