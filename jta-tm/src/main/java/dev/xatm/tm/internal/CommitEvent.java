package dev.xatm.tm.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event: one {@code commit()} from its call to the transaction's terminal state
 * (docs/operations.md, "JFR events"). Its duration is what the caller waited; a branch whose commit
 * failed after the decision finishes later in the background and is not part of it.
 *
 * <p>Threading: begun and committed by the committing thread ({@link Coordinator}).
 */
@Name("dev.xatm.tm.TransactionCommit")
@Label("xatm Transaction Commit")
@Category({"xatm", "Transactions"})
@Description("A commit() call: branches, outcome, and how long the caller waited")
@StackTrace(false)
final class CommitEvent extends jdk.jfr.Event {
  @Label("Gtrid")
  String gtrid;

  @Label("Branches")
  @Description("Branches enlisted (1: one-phase commit)")
  int branches;

  @Label("Outcome")
  @Description(
      "The terminal state: COMMITTED, ROLLED_BACK, HEURISTIC_AFTER_COMMIT or"
          + " HEURISTIC_AFTER_ROLLBACK")
  String outcome;

  /** Begins an event for a commit, or returns null while no recording enables it. */
  static CommitEvent started() {
    CommitEvent e = new CommitEvent();
    if (!e.isEnabled()) {
      return null;
    }
    e.begin();
    return e;
  }

  /** Ends and commits {@code e} (null: not recording) for a transaction in its terminal state. */
  static void finished(CommitEvent e, XatmTransaction tx) {
    if (e == null) {
      return;
    }
    e.end();
    if (e.shouldCommit()) {
      e.gtrid = tx.gtrid().toString();
      e.branches = tx.branches().size();
      e.outcome = tx.state().name();
      e.commit();
    }
  }
}
