package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The TM's log, in the vocabulary of transactions (DESIGN §2). Implementations: {@link WalTxLog}
 * (the product) and {@code InMemoryTxLog} (unit tests, in the test-jar).
 *
 * <p>Methods that say "durable" return only after the record is on disk and throw {@link
 * TxLogException} otherwise; the others enqueue the record and return a future that fails if it
 * could not even be written (the record then rides on the next forced write).
 *
 * <p>Threading: every method may be called from any thread concurrently.
 */
public interface TxLog extends AutoCloseable {

  /** {@return the node id this log belongs to} */
  String nodeId();

  /**
   * {@return this log's identity in every gtrid it decides (layout 2, docs/tm-protocol.md)} Never
   * 0, the same for the life of the log and for a copy restored elsewhere, different for another
   * log (with overwhelming probability) even when it has the same node id.
   */
  long logId();

  /**
   * {@return the compact log id of a log UUID: its two halves XORed, never 0}
   *
   * @param uuid the log's UUID ({@code Wal.logId()})
   */
  static long logIdOf(java.util.UUID uuid) {
    long id = uuid.getMostSignificantBits() ^ uuid.getLeastSignificantBits();
    return id == 0 ? 1 : id;
  }

  /**
   * Rebuilds the state the log implies by reading every record. Call it once, before appending.
   *
   * @return the state after the last record
   * @throws TxLogException the log cannot be read, or a record cannot be decoded ({@link
   *     TxLogFormatException})
   */
  LogState replay() throws TxLogException;

  /**
   * The one read-only view of what every record replayed or appended so far implies, whoever
   * appended it (the coordinator, the registrar, the retrier, recovery, an operator): the log is
   * the one owner of this state, so no collaborator can bypass it. Before {@link #replay()} it is
   * the empty state.
   *
   * @return the live view; the same object on every call
   */
  LogView view();

  /** {@return a consistent copy of {@link #view()}: the state after a prefix of the log} */
  default LogState current() {
    return view().snapshot();
  }

  /**
   * Durable: a TM process starts with {@code epoch} and {@code incarnation} (the random part of its
   * gtrids; recovery tells a lost start from a known one by it).
   *
   * @param epoch the new epoch, higher than every one logged before
   * @param incarnation the random incarnation of this start; 0 for none
   * @param startedAtMillis the start time, for operators
   * @throws TxLogException the record was not made durable
   */
  void logEpoch(long epoch, int incarnation, long startedAtMillis) throws TxLogException;

  /**
   * Durable: an epoch without recorded incarnation (as versions before issue 10 wrote).
   *
   * @param epoch the new epoch
   * @param startedAtMillis the start time, for operators
   * @throws TxLogException the record was not made durable
   */
  default void logEpoch(long epoch, long startedAtMillis) throws TxLogException {
    logEpoch(epoch, 0, startedAtMillis);
  }

  /**
   * Durable: the first use of a resource by this node, before its first prepare.
   *
   * @param descriptor how recovery reaches the resource again
   * @throws TxLogException the record was not made durable
   */
  void logResourceRegistered(ResourceDescriptor descriptor) throws TxLogException;

  /**
   * Unforced: phase 1 of a two-phase transaction starts.
   *
   * @param gtrid the transaction
   * @param branches its branches, in branch order
   * @param deadlineMillis when it times out, in the TM clock's epoch milliseconds
   * @return a future that fails if the record could not be written; it does not wait for an fsync
   */
  CompletableFuture<?> logBegin(Gtrid gtrid, List<Branch> branches, long deadlineMillis);

  /**
   * Durable: the commit decision. Returns only after the record is on disk.
   *
   * @param gtrid the transaction
   * @param branches every branch to commit
   * @throws TxLogException the record was not made durable
   */
  void logCommitting(Gtrid gtrid, List<Branch> branches) throws TxLogException;

  /**
   * Durable: a heuristic outcome, before the resource is told to forget it.
   *
   * @param gtrid the transaction
   * @param branch the branch the resource reported it for
   * @param outcome what the resource did on its own
   * @throws TxLogException the record was not made durable
   */
  void logHeuristic(Gtrid gtrid, Branch branch, HeuristicOutcome outcome) throws TxLogException;

  /**
   * Durable: an operator cleared the heuristic outcomes of a branch.
   *
   * @param gtrid the transaction
   * @param branch the branch
   * @throws TxLogException the record was not made durable
   */
  void logHeuristicCleared(Gtrid gtrid, Branch branch) throws TxLogException;

  /**
   * True when the log was opened despite damage (operator override): recovery then completes
   * decided transactions but presumes nothing about the others (DESIGN §4, docs/recovery.md).
   *
   * @return whether the log is in damaged mode; false by default
   */
  default boolean openedDespiteDamage() {
    return false;
  }

  /**
   * Durable: recovery keeps {@code gtrid} in doubt for an operator; no later start presumes abort
   * for it until a Committing or End resolves it.
   *
   * @param gtrid the transaction
   * @param reason why the log cannot say whether it was decided
   * @throws TxLogException the record was not made durable
   */
  void logKeptInDoubt(Gtrid gtrid, String reason) throws TxLogException;

  /**
   * Durable (forced): the start of {@code epoch} accepted a damaged log.
   *
   * @param epoch the start that accepted it
   * @param what the damage accepted, in words
   * @throws TxLogException the record was not made durable
   */
  void logDamageAccepted(long epoch, String what) throws TxLogException;

  /**
   * Durable (forced): an operator cleared the accepted damage of epochs up to {@code epoch}.
   *
   * @param epoch the last epoch cleared
   * @throws TxLogException the record was not made durable
   */
  void logDamageCleared(long epoch) throws TxLogException;

  /**
   * Unforced: every branch is finished.
   *
   * @param gtrid the transaction
   * @param outcome how it ended
   * @return a future that fails if the record could not be written; it does not wait for an fsync
   */
  CompletableFuture<?> logEnd(Gtrid gtrid, Outcome outcome);

  /**
   * Closes the log: what was appended before is written and forced.
   *
   * @throws TxLogException closing failed; records not yet forced may be lost
   */
  @Override
  void close() throws TxLogException;
}
