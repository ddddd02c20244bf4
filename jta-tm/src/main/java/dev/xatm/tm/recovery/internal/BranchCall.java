package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.Heuristics;
import dev.xatm.tm.internal.XaClassifier;
import dev.xatm.tm.internal.XaPhase;
import dev.xatm.tm.internal.XaVerdict;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import java.util.HashSet;
import java.util.Set;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * How recovery completes one branch, the same for a pass and an operator action: call commit or
 * rollback, classify the answer ({@link XaClassifier}), log a heuristic durably and only then
 * forget it ({@link Heuristics#logDurably}: a heuristic that cannot be logged is never forgotten,
 * so the resource keeps reporting it), and leave any other failure to be confirmed by a fresh
 * {@code recover()} ({@link #rescan}): "done" is never assumed from an error code.
 *
 * <p>Stateless; never throws for a resource's answer.
 */
final class BranchCall {
  private BranchCall() {}

  enum Result {
    /** The resource answered OK. */
    DONE,
    /** A heuristic outcome, logged durably (and forgotten if the resource reported it). */
    HEURISTIC,
    /** A heuristic outcome the log could not make durable: not forgotten. */
    NOT_LOGGED,
    /** Any other failure: done only if a fresh recover() no longer lists the branch. */
    UNCONFIRMED
  }

  /** What happened, and the words for the report line ({@code detail}). */
  record Completion(Result result, String detail) {}

  /** Commits ({@code commit}) or rolls back the branch {@code x} of resource {@code resourceId}. */
  static Completion complete(
      TxLog log, XAResource xa, XatmXid x, String resourceId, boolean commit) {
    XaCall call = call(xa, x, commit);
    if (call.ok()) {
      return new Completion(Result.DONE, "done");
    }
    XaVerdict v =
        XaClassifier.classify(commit ? XaPhase.COMMIT_RETRY : XaPhase.ROLLBACK, call.code());
    if (v.heuristic() == null) {
      return new Completion(Result.UNCONFIRMED, "answered " + call.describe());
    }
    try {
      Heuristics.logDurably(
          log, x.gtrid(), new Branch(resourceId, x.getBranchQualifier()), v.heuristic());
    } catch (TxLogException | RuntimeException e) {
      return new Completion(
          Result.NOT_LOGGED,
          "heuristic "
              + v.heuristic()
              + " ("
              + call.describe()
              + ") could not be logged, so the resource is not told to forget it: "
              + e.getMessage());
    }
    String forgot;
    if (v.forget()) {
      XaCall f = XaCall.run(() -> xa.forget(x));
      forgot =
          f.ok()
              ? "; logged, then forgotten"
              : "; logged; forget failed with " + f.describe() + " (the next pass repeats it)";
    } else {
      forgot = "; logged";
    }
    return new Completion(
        Result.HEURISTIC, "heuristic " + v.heuristic() + ": " + v.meaning() + forgot);
  }

  /** One phase-2 call, commit (two-phase) or rollback, of exactly {@code xid}; never throws. */
  static XaCall call(XAResource xa, Xid xid, boolean commit) {
    return XaCall.run(
        () -> {
          if (commit) {
            xa.commit(xid, false);
          } else {
            xa.rollback(xid);
          }
        });
  }

  /**
   * A fresh {@code recover()}: the Xids of node {@code nodeId} the resource still lists, or the
   * reason it could not be listed.
   */
  record Rescan(Set<XatmXid> listed, String failure) {
    boolean stillPrepared(XatmXid x) {
      return failure != null || listed.contains(x);
    }
  }

  static Rescan rescan(XAResource xa, String nodeId) {
    Set<XatmXid> listed = new HashSet<>();
    try {
      for (Xid raw : XaCall.recover(xa)) {
        XatmXid.parse(raw, nodeId).ifPresent(listed::add);
      }
      return new Rescan(listed, null);
    } catch (XAException e) {
      return new Rescan(Set.of(), new XaCall(false, e.errorCode, e).describe());
    }
  }
}
