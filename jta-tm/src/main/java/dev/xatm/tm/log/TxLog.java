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

  /** The node id this log belongs to. */
  String nodeId();

  /**
   * This log's identity in every gtrid it decides (layout 2, docs/tm-protocol.md): never 0, the
   * same for the life of the log and for a copy restored elsewhere, different for another log (with
   * overwhelming probability) even when it has the same node id.
   */
  long logId();

  /** The compact log id of a log UUID: its two halves XORed, never 0. */
  static long logIdOf(java.util.UUID uuid) {
    long id = uuid.getMostSignificantBits() ^ uuid.getLeastSignificantBits();
    return id == 0 ? 1 : id;
  }

  /** Rebuilds the state the log implies by reading every record. */
  LogState replay() throws TxLogException;

  /**
   * The one read-only view of what every record replayed or appended so far implies, whoever
   * appended it (the coordinator, the registrar, the retrier, recovery, an operator): the log is
   * the one owner of this state, so no collaborator can bypass it. Before {@link #replay()} it is
   * the empty state.
   */
  LogView view();

  /** A consistent copy of {@link #view()}: a prefix of the log in LSN order. */
  default LogState current() {
    return view().snapshot();
  }

  /**
   * Durable: a TM process starts with {@code epoch} and {@code incarnation} (the random part of its
   * gtrids; recovery tells a lost start from a known one by it).
   */
  void logEpoch(long epoch, int incarnation, long startedAtMillis) throws TxLogException;

  /** Durable: an epoch without recorded incarnation (as versions before issue 10 wrote). */
  default void logEpoch(long epoch, long startedAtMillis) throws TxLogException {
    logEpoch(epoch, 0, startedAtMillis);
  }

  /** Durable: the first use of a resource by this node. */
  void logResourceRegistered(ResourceDescriptor descriptor) throws TxLogException;

  /** Unforced: phase 1 of a two-phase transaction starts. */
  CompletableFuture<?> logBegin(Gtrid gtrid, List<Branch> branches, long deadlineMillis);

  /** Durable: the commit decision. Returns only after the record is on disk. */
  void logCommitting(Gtrid gtrid, List<Branch> branches) throws TxLogException;

  /** Durable: a heuristic outcome, before the resource is told to forget it. */
  void logHeuristic(Gtrid gtrid, Branch branch, HeuristicOutcome outcome) throws TxLogException;

  /** Durable: an operator cleared the heuristic outcomes of a branch. */
  void logHeuristicCleared(Gtrid gtrid, Branch branch) throws TxLogException;

  /**
   * True when the log was opened despite damage (operator override): recovery then completes
   * decided transactions but presumes nothing about the others (DESIGN §4, docs/recovery.md).
   */
  default boolean openedDespiteDamage() {
    return false;
  }

  /**
   * Durable: recovery keeps {@code gtrid} in doubt for an operator; no later start presumes abort
   * for it until a Committing or End resolves it.
   */
  void logKeptInDoubt(Gtrid gtrid, String reason) throws TxLogException;

  /** Durable (forced): the start of {@code epoch} accepted a damaged log ({@code what}). */
  void logDamageAccepted(long epoch, String what) throws TxLogException;

  /** Durable (forced): an operator cleared the accepted damage of epochs up to {@code epoch}. */
  void logDamageCleared(long epoch) throws TxLogException;

  /** Unforced: every branch is finished. */
  CompletableFuture<?> logEnd(Gtrid gtrid, Outcome outcome);

  @Override
  void close() throws TxLogException;
}
