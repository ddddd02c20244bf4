package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.HeuristicOutcome;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;

/**
 * The one way a heuristic outcome enters the log, for the coordinator, the background retrier,
 * recovery passes and operator actions: durably first, then the JFR event. The policy when the
 * record cannot be made durable is the same everywhere (docs/recovery.md): the resource is not told
 * to forget the branch, so the outcome stays visible there and a later pass reports it again.
 *
 * <p>Stateless and thread-safe.
 */
public final class Heuristics {
  private Heuristics() {}

  /**
   * Logs the heuristic outcome of one branch (forced) and emits {@code dev.xatm.tm.Heuristic}.
   *
   * @throws TxLogException not durable: the caller must not call {@code forget}
   */
  public static void logDurably(TxLog log, Gtrid gtrid, Branch branch, HeuristicOutcome outcome)
      throws TxLogException {
    log.logHeuristic(gtrid, branch, outcome);
    HeuristicEvent.emit(gtrid, branch, outcome);
  }
}
