package dev.xatm.spring.boot.health;

import dev.xatm.spring.boot.XatmStartupRecovery;
import dev.xatm.tm.XatmMetrics;
import dev.xatm.tm.XatmTransactionManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The health of the transaction manager, independent of Boot's Health API (whose package differs
 * between Boot 3 and Boot 4; one small indicator per line adapts this).
 *
 * <ul>
 *   <li>{@code DOWN}: a log failure stopped the TM (fail-stop: no new transaction can commit), or
 *       the startup recovery pass threw;
 *   <li>{@code OUT_OF_SERVICE}: the startup recovery pass has not finished yet (prepared
 *       transactions of an earlier run may still hold row locks);
 *   <li>{@code UP} otherwise. In-doubt Xids and unresolved heuristics leave it UP (the application
 *       can work; an operator must look) and are reported in the details.
 * </ul>
 *
 * <p>Thread-safe; each call reads the TM's metrics now.
 */
public final class XatmHealthCheck {
  /**
   * A status code of Boot's {@code Status} and the details to show with it.
   *
   * @param status {@code UP}, {@code OUT_OF_SERVICE} or {@code DOWN}
   * @param details node, epoch, startup recovery state, counts from the TM's metrics, and the
   *     failure behind a {@code DOWN}
   */
  public record Result(String status, Map<String, Object> details) {}

  private final XatmTransactionManager tm;
  private final XatmStartupRecovery startup;

  /**
   * Creates the check.
   *
   * @param tm the transaction manager
   * @param startup where the startup recovery pass stands
   */
  public XatmHealthCheck(XatmTransactionManager tm, XatmStartupRecovery startup) {
    this.tm = Objects.requireNonNull(tm, "tm");
    this.startup = Objects.requireNonNull(startup, "startup");
  }

  /** {@return the health now, by the rules above} */
  public Result check() {
    XatmMetrics m = tm.metrics();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("nodeId", m.nodeId());
    d.put("epoch", m.epoch());
    d.put("startupRecovery", startup.state().name());
    d.put("failStopped", m.failStopped());
    d.put("inDoubt", m.inDoubt());
    d.put("unresolvedHeuristics", m.unresolvedHeuristics());
    d.put("active", m.active());
    d.put("pendingRetries", m.pendingRetries());
    d.put("lastRecoveryMillis", m.lastRecoveryMillis());
    d.put("lastRecoveryUnresolved", m.lastRecoveryUnresolved());
    String status;
    if (m.failStopped()) {
      Throwable cause = tm.failStopCause();
      d.put("failStopCause", cause == null ? "unknown" : String.valueOf(cause.getMessage()));
      status = "DOWN";
    } else if (startup.state() == XatmStartupRecovery.State.FAILED) {
      d.put("startupRecoveryFailure", String.valueOf(startup.failure()));
      status = "DOWN";
    } else if (!startup.done()) {
      status = "OUT_OF_SERVICE";
    } else {
      status = "UP";
    }
    return new Result(status, d);
  }
}
