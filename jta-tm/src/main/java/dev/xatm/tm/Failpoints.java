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
     * @param gtrid the transaction
     * @param branch the branch number for branch points, 0 otherwise
     */
    void hit(Failpoint point, Gtrid gtrid, int branch);
  }

  /** Thrown by {@link #fail(String)} actions. */
  public static final class FailpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FailpointException(String message) {
      super(message);
    }
  }

  private static final Failpoints NONE = new Failpoints();

  private volatile Map<Failpoint, Action> armed = new EnumMap<>(Failpoint.class);
  private volatile boolean any;

  /** A shared instance with nothing armed; arming it is refused. */
  public static Failpoints none() {
    return NONE;
  }

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

  public synchronized void disarm(Failpoint point) {
    Map<Failpoint, Action> copy = new EnumMap<>(Failpoint.class);
    copy.putAll(armed);
    copy.remove(point);
    armed = copy;
    any = !copy.isEmpty();
  }

  /** Called by the coordinator at each point. */
  public void hit(Failpoint point, Gtrid gtrid, int branch) {
    if (!any) {
      return;
    }
    Action a = armed.get(point);
    if (a != null) {
      a.hit(point, gtrid, branch);
    }
  }

  /** Throws a {@link FailpointException}. */
  public static Action fail(String message) {
    return (p, g, b) -> {
      throw new FailpointException(message + " at " + p + " of " + g + " branch " + b);
    };
  }

  /** Halts the JVM at once (no shutdown hooks, nothing flushed): a crash. */
  public static Action halt(int status) {
    return (p, g, b) -> Runtime.getRuntime().halt(status);
  }

  /** Runs {@code action} only at the {@code n}-th hit (1-based) of the point. */
  public static Action onHit(int n, Action action) {
    AtomicInteger count = new AtomicInteger();
    return (p, g, b) -> {
      if (count.incrementAndGet() == n) {
        action.hit(p, g, b);
      }
    };
  }
}
