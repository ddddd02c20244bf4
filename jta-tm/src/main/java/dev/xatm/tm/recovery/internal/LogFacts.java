package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.LogView;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.recovery.RecoveryConfig;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The facts of the decision table ({@link XidDecider.Facts}) over a log's view and this process's
 * liveness: one implementation for the running TM's recovery (the live view) and for the offline
 * listing of a stopped node ({@code RecoveryInspection}: a replayed state, nothing alive).
 */
final class LogFacts implements XidDecider.Facts {
  private final LogView view;
  private final Predicate<Gtrid> alive;
  private final BooleanSupplier logFailed;
  private final BooleanSupplier logDamaged;
  private final RecoveryConfig.LegacyXids legacyXids;
  private final long currentEpoch;
  private final long firstRecordedStart;

  /**
   * @param currentEpoch the epoch of the process the decisions are for (this one, or the next start
   *     of a stopped node)
   */
  LogFacts(
      LogView view,
      Predicate<Gtrid> alive,
      BooleanSupplier logFailed,
      BooleanSupplier logDamaged,
      RecoveryConfig.LegacyXids legacyXids,
      long currentEpoch) {
    this.view = view;
    this.alive = alive;
    this.logFailed = logFailed;
    this.logDamaged = logDamaged;
    this.legacyXids = legacyXids;
    this.currentEpoch = currentEpoch;
    // Fixed once the log is replayed: later starts only add later epochs.
    this.firstRecordedStart =
        view.snapshot().starts().keySet().stream()
            .mapToLong(Long::longValue)
            .min()
            .orElse(currentEpoch);
  }

  @Override
  public boolean decidedUnfinished(Gtrid g) {
    return view.decided(g).isPresent();
  }

  @Override
  public Optional<Outcome> ended(Gtrid g) {
    return view.endedOutcome(g);
  }

  @Override
  public boolean begun(Gtrid g) {
    return view.begun(g).isPresent();
  }

  @Override
  public boolean alive(Gtrid g) {
    return alive.test(g);
  }

  @Override
  public boolean logFailed() {
    return logFailed.getAsBoolean();
  }

  @Override
  public Optional<String> keptInDoubt(Gtrid g) {
    return view.keptInDoubt(g);
  }

  @Override
  public boolean knownStart(long epoch, int incarnation) {
    return view.started(epoch, incarnation);
  }

  @Override
  public boolean presumeAbortUnrecordedLegacy(long epoch) {
    if (legacyXids != RecoveryConfig.LegacyXids.PRESUME_ABORT) {
      return false;
    }
    // Old-layout Xids of epochs from the first new-layout start on cannot be this log's.
    return epoch < Math.min(firstRecordedStart, currentEpoch);
  }

  @Override
  public Optional<String> damageAcceptedAfter(long epoch) {
    var after = view.damageAccepted().tailMap(epoch + 1);
    return after.isEmpty() ? Optional.empty() : Optional.of(after.get(after.firstKey()));
  }

  @Override
  public boolean logDamaged() {
    return logDamaged.getAsBoolean();
  }
}
