package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.internal.TmIdentity;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryLogState;
import dev.xatm.tm.recovery.RecoveryResult;
import java.util.Optional;

/**
 * The decision table of docs/recovery.md as one pure function: what to do with a prepared Xid of
 * this node, given what the log and this process know about its gtrid. The order of the checks is
 * the safety argument: a durable Committing is looked at first (I3), a live or in-process-decided
 * transaction of the current epoch is left to its owner, and presumed abort applies only to earlier
 * epochs with an undamaged log (I2).
 */
final class XidDecider {
  private XidDecider() {}

  /**
   * What recovery knows about gtrids: the log's view ({@link dev.xatm.tm.log.LogView}) and whether
   * a transaction is alive. Implementations read live state; see the call order.
   */
  interface Facts {
    /**
     * A Committing and no End in the log's view, whoever wrote it (an earlier process, this
     * process's coordinator, an operator); read after {@link #alive}.
     */
    boolean decidedUnfinished(Gtrid g);

    /** The outcome of an End record, if the gtrid has one (earlier epochs). */
    Optional<Outcome> ended(Gtrid g);

    /** A Begin without decision in the log. */
    boolean begun(Gtrid g);

    /** The transaction is alive in this process (current epoch only). */
    boolean alive(Gtrid g);

    /**
     * This process's log failed (fail-stop): a Committing it handed to the log may or may not be
     * durable, so what the view says about this process's transactions is not to be acted on; the
     * next start decides from what is durable.
     */
    boolean logFailed();

    /** The log was opened despite damage. */
    boolean logDamaged();

    /**
     * What a start after {@code epoch} accepted when it opened the log despite damage, unless an
     * operator cleared it (a {@code DamageAccepted} record, carried by every checkpoint).
     */
    Optional<String> damageAcceptedAfter(long epoch);

    /** The log records a process start with this epoch and incarnation. */
    boolean knownStart(long epoch, int incarnation);

    /**
     * The operator opted in to presumed abort for unrecorded old-layout Xids of this epoch ({@code
     * xatm.recovery.legacy-xids=presume-abort}, and the epoch is before the log's first new-layout
     * start).
     */
    boolean presumeAbortUnrecordedLegacy(long epoch);

    /** Why recovery kept the gtrid in doubt durably (a KeptInDoubt record), if it did. */
    Optional<String> keptInDoubt(Gtrid g);
  }

  /**
   * @param lostTail the Xid is evidence that the log lost records (a gtrid of this log from an
   *     epoch the log does not contain, or from the current epoch but another process start)
   * @param keep the gtrid must be kept in doubt durably ({@code KeptInDoubt}): the log cannot say
   *     whether it was decided, and a later start on a log without the damage must not presume
   *     abort for it either
   */
  record Decision(
      RecoveryLogState logState,
      RecoveryAction action,
      RecoveryResult ifNoCall,
      String reason,
      boolean lostTail,
      boolean keep) {
    Decision(RecoveryLogState logState, RecoveryAction action, RecoveryResult ifNoCall, String r) {
      this(logState, action, ifNoCall, r, false, false);
    }
  }

  /**
   * Decides for a gtrid with this node id that is ours or of the old layout ({@link
   * TmIdentity#ownership}); a gtrid of another log never reaches here.
   */
  static Decision decide(Gtrid g, TmIdentity me, Facts f) {
    boolean mine = me.thisProcess(g);
    // alive first, then the log: a live transaction may decide and finish in between, but one
    // that is not alive can no longer decide, and the view already holds its Committing if it
    // did (the record is applied when it is handed to the log, before any commit is sent).
    if (mine && f.alive(g)) {
      return new Decision(
          RecoveryLogState.ALIVE,
          RecoveryAction.LEAVE_ALONE,
          RecoveryResult.LEFT_ALONE,
          "a live transaction of this process");
    }
    if (mine && f.logFailed()) {
      return new Decision(
          RecoveryLogState.NONE,
          RecoveryAction.LEAVE_ALONE,
          RecoveryResult.IN_DOUBT,
          "the transaction log of this process failed (fail-stop): whether its decision is"
              + " durable is unknown; restart the transaction manager, whose recovery decides from"
              + " the log");
    }
    if (f.decidedUnfinished(g)) {
      return new Decision(
          RecoveryLogState.COMMITTING,
          RecoveryAction.COMMIT,
          RecoveryResult.DONE,
          mine
              // Its owner has finished (not alive), so only the background retrier may still be
              // working on it, possibly through a connection that died. Committing through a
              // fresh connection races nothing that matters: a second commit answers XAER_NOTA.
              ? "decided by this process, no longer alive: commit (the background retry is told)"
              : "durable Committing without End: commit");
    }
    Optional<String> kept = f.keptInDoubt(g);
    if (kept.isPresent()) {
      return new Decision(
          RecoveryLogState.NONE,
          RecoveryAction.LEAVE_ALONE,
          RecoveryResult.IN_DOUBT,
          "kept in doubt (logged) until an operator commits or rolls it back: " + kept.get());
    }
    // An End is a decision (an operator's, or recovery's): it comes before every lost-records
    // check, or the other branches of a gtrid an operator rolled back would be classified as lost
    // records again (kept in doubt anew; a strict start refused). Only a live transaction of this
    // process is left to its owner first.
    Optional<Outcome> ended = f.ended(g);
    if (ended.isPresent()) {
      if (mine && ended.get() == Outcome.COMMITTED) {
        // Finished by its owner between this pass's scan and now (the observation window).
        return new Decision(
            RecoveryLogState.ENDED_COMMITTED,
            RecoveryAction.COMMIT,
            RecoveryResult.DONE,
            "decided by this process and finished while the pass ran: commit (a second commit"
                + " answers XAER_NOTA)");
      }
      return fromEnd(ended.get());
    }
    long currentEpoch = me.epoch();
    if (g.legacy()) {
      return legacy(g, currentEpoch, f);
    }
    if (g.epoch() == currentEpoch && g.incarnation() != me.incarnation()) {
      return lostTail(
          g,
          "epoch "
              + g.epoch()
              + " of this log was handed out by another process start before this one (incarnation"
              + String.format(" %08x, this one %08x", g.incarnation(), me.incarnation())
              + "): the log lost the records of that start");
    }
    if (g.epoch() == currentEpoch) {
      // This process's (checked above): not alive, and the view holds no decision for it.
      return new Decision(
          RecoveryLogState.NONE,
          RecoveryAction.ROLLBACK,
          RecoveryResult.DONE,
          "current epoch, no longer alive, no commit decision: roll back");
    }
    if (g.epoch() > currentEpoch) {
      return lostTail(
          g,
          "epoch "
              + g.epoch()
              + " of this log is newer than this process's ("
              + currentEpoch
              + "): the log lost its newest records (or was restored from an old copy)");
    }
    if (!f.knownStart(g.epoch(), g.incarnation())) {
      return lostTail(
          g,
          "its process start (epoch "
              + g.epoch()
              + String.format(", incarnation %08x", g.incarnation())
              + ") is not in this log: the log lost the records of that start");
    }
    return earlierEpoch(g, f);
  }

  private static Decision lostTail(Gtrid g, String why) {
    return new Decision(
        RecoveryLogState.NONE,
        RecoveryAction.LEAVE_ALONE,
        RecoveryResult.IN_DOUBT,
        "LOST LOG RECORDS: "
            + why
            + "; its decision may have been lost, so recovery never presumes abort for it."
            + " Commit or roll back by hand",
        true,
        true);
  }

  /**
   * Layout 1 (no log identity): another process with the same node id could have written it, so it
   * is ours only through a record our log holds of its gtrid.
   */
  private static Decision legacy(Gtrid g, long currentEpoch, Facts f) {
    boolean recorded = f.ended(g).isPresent() || f.begun(g);
    boolean optedIn = f.presumeAbortUnrecordedLegacy(g.epoch());
    if ((!recorded && !optedIn) || g.epoch() >= currentEpoch) {
      return new Decision(
          RecoveryLogState.NONE,
          RecoveryAction.LEAVE_ALONE,
          RecoveryResult.IN_DOUBT,
          "old-layout Xid (no log identity) that this log holds no record of: another process with"
              + " the same node id may own it, so recovery does not presume abort; resolve by"
              + " hand");
    }
    return earlierEpoch(g, f);
  }

  private static Decision fromEnd(Outcome ended) {
    if (ended == Outcome.COMMITTED) {
      return new Decision(
          RecoveryLogState.ENDED_COMMITTED,
          RecoveryAction.COMMIT,
          RecoveryResult.DONE,
          "INCONSISTENT: End(committed) logged but the branch is still prepared: commit it");
    }
    return new Decision(
        RecoveryLogState.ENDED_ROLLED_BACK,
        RecoveryAction.ROLLBACK,
        RecoveryResult.DONE,
        "End(rolled back) logged (an operator's or recovery's decision) but the branch is still"
            + " prepared (INCONSISTENT unless an operator rolled back another branch): roll it"
            + " back");
  }

  private static Decision earlierEpoch(Gtrid g, Facts f) {
    Optional<Outcome> ended = f.ended(g);
    if (ended.isPresent()) {
      return fromEnd(ended.get());
    }
    RecoveryLogState state = f.begun(g) ? RecoveryLogState.BEGUN : RecoveryLogState.NONE;
    if (f.logDamaged()) {
      return new Decision(
          state,
          RecoveryAction.LEAVE_ALONE,
          RecoveryResult.IN_DOUBT,
          "the log was opened despite damage: no presumed abort; commit or roll back by hand",
          false,
          true);
    }
    Optional<String> accepted = f.damageAcceptedAfter(g.epoch());
    if (accepted.isPresent()) {
      return new Decision(
          state,
          RecoveryAction.LEAVE_ALONE,
          RecoveryResult.IN_DOUBT,
          "DAMAGE ACCEPTED earlier ("
              + accepted.get()
              + "): its decision may have been in the damaged part, so no presumed abort; commit"
              + " or roll back by hand, then clear the damage (clearAcceptedDamage)",
          false,
          true);
    }
    return new Decision(
        state,
        RecoveryAction.ROLLBACK,
        RecoveryResult.DONE,
        "no Committing, earlier epoch " + g.epoch() + ": presumed abort");
  }
}
