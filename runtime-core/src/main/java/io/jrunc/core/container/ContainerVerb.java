package io.jrunc.core.container;

import io.jrunc.core.failure.ContainerFailure;
import io.jrunc.core.failure.Status;
import io.jrunc.core.state.ContainerRecord;
import io.jrunc.core.state.StateStore;

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
}
