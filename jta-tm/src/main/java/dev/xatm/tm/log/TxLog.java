package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The TM's log, in the vocabulary of transactions (DESIGN §2). Implementations: {@link WalTxLog}
 * (the product) and {@link InMemoryTxLog} (unit tests).
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

  /** Rebuilds the state the log implies by reading every record. */
  LogState replay() throws TxLogException;

  /**
   * What every record replayed or appended so far implies, whoever appended it (the coordinator,
   * the registrar, the retrier, recovery, an operator): the log is the one owner of this state, so
   * no collaborator can bypass it. Before {@link #replay()} it is the empty state. Read under the
   * append lock, so it reflects a prefix of the log in LSN order.
   */
  LogState current();

  /** Durable: a TM process starts with {@code epoch}. */
  void logEpoch(long epoch, long startedAtMillis) throws TxLogException;

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

  /** Unforced: every branch is finished. */
  CompletableFuture<?> logEnd(Gtrid gtrid, Outcome outcome);

  @Override
  void close() throws TxLogException;
}
