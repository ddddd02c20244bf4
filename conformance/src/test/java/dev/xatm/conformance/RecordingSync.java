package dev.xatm.conformance;

import jakarta.transaction.Synchronization;

/**
 * A Synchronization that records {@code name.before} and {@code name.after(STATUS)} in the case's
 * {@link CallLog}, and optionally runs code inside either callback (to throw, register more, or
 * look at the TM). Thread-safe as far as its log is.
 */
final class RecordingSync implements Synchronization {
  /** Code run inside a callback; may throw anything. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  private final String name;
  private final CallLog log;
  private volatile Action before;
  private volatile Action after;

  RecordingSync(String name, CallLog log) {
    this.name = name;
    this.log = log;
  }

  RecordingSync inBefore(Action a) {
    this.before = a;
    return this;
  }

  RecordingSync inAfter(Action a) {
    this.after = a;
    return this;
  }

  @Override
  public void beforeCompletion() {
    log.add(name, "before");
    invoke(before);
  }

  @Override
  public void afterCompletion(int status) {
    log.add(name, "after(" + Statuses.name(status) + ")");
    invoke(after);
  }

  private static void invoke(Action a) {
    if (a == null) {
      return;
    }
    try {
      a.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "RecordingSync[" + name + "]";
  }
}
