package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.NotFoundFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.StateStore;
import java.io.IOException;
import java.nio.file.NoSuchFileException;

/**
 * What every verb on an existing container starts from: the {@link Lifecycle} facade's record
 * loading and status rule, and its state store. One place, so that a verb cannot load a record
 * or derive a status differently from the others.
 */
abstract class ContainerVerb {

  protected final Lifecycle lc;
  protected final StateStore store;

  ContainerVerb(Lifecycle lc) {
    this.lc = lc;
    this.store = lc.store();
  }

  protected ContainerRecord load(String id) throws ContainerFailure {
    return lc.load(id);
  }

  protected Status status(ContainerRecord r) {
    return lc.status(r);
  }

  /**
   * The container's lock. A delete that removed the container since its record was looked at
   * leaves no directory to open the lock file in: that is "does not exist", as the record's read
   * would have said a moment later (NIO's NoSuchFileException names only the lock file's path,
   * which engines cannot tell from a real failure: containerd's shim takes "does not exist" or
   * "not running" for a process already gone).
   */
  protected StateStore.Lock lock(String id) throws ContainerFailure, IOException {
    try {
      return store.lock(id);
    } catch (NoSuchFileException e) {
      throw new NotFoundFailure(id);
    }
  }
}
