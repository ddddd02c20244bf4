package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.HeuristicOutcome;
import dev.xatm.tm.log.LogState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this process decided, for recovery's view of "decided" (DESIGN §2 I3, §3): every gtrid for
 * which this process wrote (or is writing) a Committing record and no End yet, plus, while a
 * recovery pass observes, the gtrids whose committed End was written during that pass. Fed by
 * {@link TrackingTxLog}, so every Committing and End of the coordinator, the background retrier and
 * recovery itself is seen.
 *
 * <p>Why the pass window: a recovery pass reads the resources' prepared Xids first and this tracker
 * afterwards. A transaction that was decided when the scan ran and finished (End) before the
 * tracker is read would otherwise look undecided. An End written before the pass started means all
 * its branches were confirmed committed before the scan, so the scan cannot list them; an End
 * written while a pass is observing is remembered until the last observing pass ends.
 *
 * <p>Also collects the heuristic outcomes this process logs, so they stay visible until cleared.
 *
 * <p>Thread-safe.
 */
public final class DecisionTracker {
  private final Set<Gtrid> decided = ConcurrentHashMap.newKeySet();
  private final Set<Gtrid> endedWhileObserved = ConcurrentHashMap.newKeySet();
  private final AtomicInteger observers = new AtomicInteger();
  private final List<LogState.HeuristicEntry> heuristics = new ArrayList<>();

  /** Called before the Committing record is handed to the log. */
  void committing(Gtrid gtrid) {
    decided.add(gtrid);
  }

  /** The Committing record was not written (the coordinator rolls the transaction back). */
  void committingFailed(Gtrid gtrid) {
    decided.remove(gtrid);
  }

  /** Called before End is handed to the log. */
  void ended(Gtrid gtrid, boolean committed) {
    // Record first, then forget the decision: a reader never sees neither.
    if (committed && observers.get() > 0) {
      endedWhileObserved.add(gtrid);
    }
    decided.remove(gtrid);
  }

  synchronized void heuristicLogged(Gtrid gtrid, Branch branch, HeuristicOutcome outcome) {
    heuristics.add(new LogState.HeuristicEntry(gtrid, branch, outcome, 0));
  }

  synchronized void heuristicCleared(Gtrid gtrid, Branch branch) {
    heuristics.removeIf(h -> h.gtrid().equals(gtrid) && h.branch().equals(branch));
  }

  /** Heuristic outcomes logged by this process and not cleared (LSN 0: not known here). */
  public synchronized List<LogState.HeuristicEntry> heuristics() {
    return List.copyOf(heuristics);
  }

  /** A recovery pass starts observing; call {@link #endObservation()} in a finally block. */
  public void beginObservation() {
    observers.incrementAndGet();
  }

  public void endObservation() {
    if (observers.decrementAndGet() == 0) {
      endedWhileObserved.clear();
    }
  }

  /**
   * True when this process logged Committing for the gtrid and has not written End, or wrote a
   * committed End while a pass was observing. Read it only after checking the transaction is not
   * alive: a live transaction may still decide.
   */
  public boolean isDecided(Gtrid gtrid) {
    return decided.contains(gtrid) || endedWhileObserved.contains(gtrid);
  }

  /** Decided and without End (being committed by the coordinator or the background retrier). */
  public boolean isDecidedUnfinished(Gtrid gtrid) {
    return decided.contains(gtrid);
  }

  public int decidedCount() {
    return decided.size();
  }
}
