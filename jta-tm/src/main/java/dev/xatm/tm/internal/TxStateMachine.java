package dev.xatm.tm.internal;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The state of one transaction, changed only through {@link TxTransition}s (compare-and-set, so
 * concurrent moves from the reaper and the application thread resolve to exactly one winner).
 *
 * <p>Thread-safe.
 */
public final class TxStateMachine {
  private final AtomicReference<TxState> state = new AtomicReference<>(TxState.ACTIVE);
  private final String name;

  public TxStateMachine(String name) {
    this.name = name;
  }

  public TxState state() {
    return state.get();
  }

  /** Applies the transition if legal from the current state; false otherwise. */
  public boolean tryApply(TxTransition t) {
    while (true) {
      TxState s = state.get();
      if (!t.allowedFrom(s)) {
        return false;
      }
      if (state.compareAndSet(s, t.to())) {
        return true;
      }
    }
  }

  /**
   * Applies the transition.
   *
   * @throws IllegalStateException naming the transaction, the transition and the current state
   */
  public void apply(TxTransition t) {
    if (!tryApply(t)) {
      throw new IllegalStateException(
          "transaction " + name + ": " + t + " is not allowed in state " + state.get());
    }
  }

  @Override
  public String toString() {
    return name + ":" + state.get();
  }
}
