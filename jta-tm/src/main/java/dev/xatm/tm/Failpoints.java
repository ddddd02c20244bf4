package dev.xatm.tm;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection at the {@link Failpoint}s of one transaction manager instance (no static state).
 * Production code passes {@link #none()}.
 *
 * <pre>{@code
 * Failpoints fp = new Failpoints();
 * fp.arm(Failpoint.AFTER_COMMITTING_DURABLE, Failpoints.halt(137));   // child-JVM crash test
 * fp.arm(Failpoint.BEFORE_PREPARE, Failpoints.onHit(2, Failpoints.fail("boom")));
 * }</pre>
 *
 * <p>Thread-safe: arming is copy-on-write; hits read a volatile map.
 */
public final class Failpoints {
  /** What happens at an armed point. */
  @FunctionalInterface
  public interface Action {
    /**
     * Runs at an armed point, on the coordinator's thread. What a thrown {@link RuntimeException}
     * means depends on the point (see {@link Failpoint}).
     *
     * @param point the point reached
     * @param gtrid the transaction
     * @param branch the branch number for branch points, 0 otherwise
     */
    void hit(Failpoint point, Gtrid gtrid, int branch);
  }

  /** Thrown by {@link #fail(String)} actions. */
  public static final class FailpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the action's message, the point, the transaction and the branch
     */
    public FailpointException(String message) {
      super(message);
    }
  }

  private static final Failpoints NONE = new Failpoints();

  private volatile Map<Failpoint, Action> armed = new EnumMap<>(Failpoint.class);
  private volatile boolean any;

  /** Creates an instance with nothing armed, for one transaction manager. */
  public Failpoints() {}

  /** {@return a shared instance with nothing armed; arming it is refused} */
  public static Failpoints none() {
    return NONE;
  }

  /**
   * Arms {@code point} with {@code action}, replacing the action armed there before. Takes effect
   * for hits that start after the call.
   *
   * @param point the point to arm
   * @param action what happens there
   * @return this instance
   * @throws IllegalStateException this is {@link #none()}
   */
  public synchronized Failpoints arm(Failpoint point, Action action) {
    if (this == NONE) {
      throw new IllegalStateException("Failpoints.none() cannot be armed; create an instance");
    }
    Map<Failpoint, Action> copy = new EnumMap<>(Failpoint.class);
    copy.putAll(armed);
    copy.put(Objects.requireNonNull(point), Objects.requireNonNull(action));
    armed = copy;
    any = true;
    return this;
  }

  /**
   * Disarms {@code point}; does nothing when it is not armed.
   *
   * @param point the point to disarm
   */
  public synchronized void disarm(Failpoint point) {
    Map<Failpoint, Action> copy = new EnumMap<>(Failpoint.class);
    copy.putAll(armed);
    copy.remove(point);
    armed = copy;
    any = !copy.isEmpty();
  }

  /**
   * Runs the action armed at {@code point}, if any. Called by the coordinator at each point.
   *
   * @param point the point reached
   * @param gtrid the transaction
   * @param branch the branch number for branch points, 0 otherwise
   */
  public void hit(Failpoint point, Gtrid gtrid, int branch) {
    if (!any) {
      return;
    }
    Action a = armed.get(point);
    if (a != null) {
      a.hit(point, gtrid, branch);
    }
  }

  /**
   * {@return an action that throws a {@link FailpointException}}
   *
   * @param message the start of the exception's message; the point, transaction and branch follow
   */
  public static Action fail(String message) {
    return (p, g, b) -> {
      throw new FailpointException(message + " at " + p + " of " + g + " branch " + b);
    };
  }

  /**
   * {@return an action that halts the JVM at once (no shutdown hooks, nothing flushed): a crash}
   *
   * @param status the exit status the parent test expects
   */
  public static Action halt(int status) {
    return (p, g, b) -> Runtime.getRuntime().halt(status);
  }

  /**
   * {@return an action that runs {@code action} only at the {@code n}-th hit (1-based) of the
   * point} Hits are counted across threads.
   *
   * @param n which hit, from 1
   * @param action what to run then
   */
  public static Action onHit(int n, Action action) {
    AtomicInteger count = new AtomicInteger();
    return (p, g, b) -> {
      if (count.incrementAndGet() == n) {
        action.hit(p, g, b);
      }
    };
  }
}
