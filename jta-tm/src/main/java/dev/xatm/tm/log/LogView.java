package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The one read-only view of what the TM log says while the TM runs (issue 10 §1, DESIGN §2 and §6):
 * every record replayed at start or appended since, by whoever appended it (the coordinator, the
 * registrar, the background retrier, recovery, an operator), applied under the log's append lock in
 * LSN order. Nothing else in the TM keeps a copy: the coordinator, the registrar and recovery ask
 * here, so no collaborator can bypass it and no mirror can fall behind it.
 *
 * <p>A record counts from the moment it is handed to the log (before its fsync): a Committing is
 * "decided" here before any commit can be sent, and a forced record that then fails to become
 * durable trips the TM's fail-stop. Each point query is atomic with respect to appends; {@link
 * #snapshot()} is a consistent copy of the whole state at one LSN (it copies, so it is not for
 * per-transaction paths).
 *
 * <p>Thread-safe.
 */
public interface LogView {

  /**
   * {@return a consistent copy of the whole state (the empty state before the log was replayed)}
   */
  LogState snapshot();

  /**
   * {@return the decided-but-unfinished transaction (Committing without End), or empty}
   *
   * @param g the transaction
   */
  Optional<LogState.DecidedTransaction> decided(Gtrid g);

  /**
   * {@return the transaction with a Begin and neither decision nor End, or empty}
   *
   * @param g the transaction
   */
  Optional<LogState.BegunTransaction> begun(Gtrid g);

  /**
   * The outcome of the gtrid's End record, while the view still holds it: ended transactions are
   * dropped at each checkpoint, except while an {@link #observe() observation} is open.
   *
   * @param g the transaction
   * @return the outcome, or empty when it has no End or it was dropped
   */
  Optional<Outcome> endedOutcome(Gtrid g);

  /**
   * {@return why recovery kept the gtrid in doubt (a KeptInDoubt record not resolved since), or
   * empty}
   *
   * @param g the transaction
   */
  Optional<String> keptInDoubt(Gtrid g);

  /**
   * {@return whether the log records a process start with this epoch and incarnation}
   *
   * @param epoch the epoch of a gtrid
   * @param incarnation its incarnation
   */
  boolean started(long epoch, int incarnation);

  /**
   * Every registered resource, latest descriptor per id; read without the append lock (it changes
   * only on ResourceRegistered). A descriptor appears here when its record is handed to the log,
   * before it is durable: see {@code ResourceRegistrar} for how the first prepare waits for it.
   *
   * @return the resources by resource id
   */
  Map<String, ResourceDescriptor> resources();

  /** {@return the heuristic outcomes logged and not cleared, in LSN order (a copy)} */
  List<LogState.HeuristicEntry> heuristics();

  /**
   * {@return the starts that accepted a damaged log and no operator has cleared since, epoch to
   * what was accepted (a copy)}
   */
  SortedMap<Long, String> damageAccepted();

  /**
   * Opens an observation window: until it is closed, a checkpoint does not drop ended transactions
   * from the view. A recovery pass lists a resource's prepared Xids first and reads the view after;
   * a transaction that ended in between must read as ended, not as unknown.
   *
   * @return the window; close it in a finally block
   */
  Observation observe();

  /** An open observation window; close it in a finally block. */
  interface Observation extends AutoCloseable {
    /** Closes the window; the next checkpoint may drop ended transactions again. */
    @Override
    void close();
  }
}
