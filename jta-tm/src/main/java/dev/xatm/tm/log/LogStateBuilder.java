package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replays TM records in LSN order into a {@link LogState}. Well-formed but unexpected sequences
 * (End for an unknown gtrid, a second Committing, a Begin after the decision, an epoch that does
 * not increase) are logged at WARNING, remembered in {@link LogState#anomalies()} and skipped:
 * replay never fails on them, because refusing to start would leave decided transactions
 * unfinished.
 *
 * <p>Not thread-safe; one replay at a time.
 */
public final class LogStateBuilder {
  private static final System.Logger LOG = System.getLogger(LogStateBuilder.class.getName());

  private String nodeId;
  private long epoch;
  private long lastLsn;
  private final Map<String, ResourceDescriptor> resources = new HashMap<>();
  private final Map<Gtrid, LogState.DecidedTransaction> decided = new HashMap<>();
  private final Map<Gtrid, LogState.BegunTransaction> begunOnly = new HashMap<>();
  private final Set<Gtrid> committedAndEnded = new HashSet<>();
  private final Set<Gtrid> rolledBackAndEnded = new HashSet<>();
  private final List<LogState.HeuristicEntry> heuristics = new ArrayList<>();
  private final List<String> anomalies = new ArrayList<>();
  private final Map<Long, Set<Integer>> starts = new HashMap<>();
  private final Map<Gtrid, String> keptInDoubt = new HashMap<>();
  private final Map<Long, String> damageAccepted = new HashMap<>();

  /** Creates a builder of the empty state (a new log, or replay without a checkpoint). */
  public LogStateBuilder() {}

  /**
   * Notes that a process started epoch {@code epoch} with {@code incarnation} (from a checkpoint).
   *
   * @param epoch the epoch
   * @param incarnation its incarnation; 0 (not recorded) is ignored
   * @return this builder
   */
  public LogStateBuilder started(long epoch, int incarnation) {
    if (incarnation != 0) {
      starts.computeIfAbsent(epoch, e -> new HashSet<>()).add(incarnation);
    }
    return this;
  }

  /**
   * Applies one record read at {@code lsn}. An unexpected sequence is logged, noted in {@link
   * LogState#anomalies()} and skipped.
   *
   * @param lsn the record's LSN
   * @param record the record
   * @return this builder
   */
  public LogStateBuilder apply(long lsn, TxRecord record) {
    lastLsn = Math.max(lastLsn, lsn);
    if (record instanceof TxRecord.EpochStarted r) {
      epochStarted(lsn, r);
    } else if (record instanceof TxRecord.ResourceRegistered r) {
      resources.put(r.descriptor().resourceId(), r.descriptor());
    } else if (record instanceof TxRecord.Begin r) {
      begin(lsn, r);
    } else if (record instanceof TxRecord.Committing r) {
      committing(lsn, r);
    } else if (record instanceof TxRecord.Heuristic r) {
      heuristics.add(new LogState.HeuristicEntry(r.gtrid(), r.branch(), r.outcome(), lsn));
    } else if (record instanceof TxRecord.End r) {
      end(lsn, r);
    } else if (record instanceof TxRecord.HeuristicCleared r) {
      heuristicCleared(lsn, r);
    } else if (record instanceof TxRecord.DamageAccepted r) {
      damageAccepted.putIfAbsent(r.epoch(), r.what());
    } else if (record instanceof TxRecord.DamageCleared r) {
      damageAccepted.keySet().removeIf(e -> e <= r.epoch());
    } else if (record instanceof TxRecord.KeptInDoubt r) {
      if (!decided.containsKey(r.gtrid()) && !committedAndEnded.contains(r.gtrid())) {
        keptInDoubt.putIfAbsent(r.gtrid(), r.reason());
      }
    }
    return this;
  }

  /**
   * Merges the state of a checkpoint that lies beyond the end of the log (damaged mode): durable
   * history the log lost. Its decided transactions are decided (I3) unless this log ended them; its
   * process starts, resources, kept-in-doubt gtrids, heuristics and accepted damage are kept. Its
   * Begins are not: the damaged-mode start keeps every undecided Xid in doubt anyway.
   *
   * @param lost the set-aside checkpoint's state
   * @return this builder
   */
  public LogStateBuilder mergeLost(LogState lost) {
    lost.starts().forEach((e, incs) -> incs.forEach(i -> started(e, i)));
    lost.resources().forEach(resources::putIfAbsent);
    for (LogState.DecidedTransaction t : lost.decided().values()) {
      Gtrid g = t.gtrid();
      if (!decided.containsKey(g) && !committedAndEnded.contains(g)) {
        begunOnly.remove(g);
        keptInDoubt.remove(g);
        rolledBackAndEnded.remove(g);
        decided.put(g, t);
      }
    }
    lost.keptInDoubt()
        .forEach(
            (g, reason) -> {
              if (!decided.containsKey(g) && !committedAndEnded.contains(g)) {
                keptInDoubt.putIfAbsent(g, reason);
              }
            });
    for (LogState.HeuristicEntry h : lost.heuristics()) {
      boolean known =
          heuristics.stream()
              .anyMatch(
                  x ->
                      x.gtrid().equals(h.gtrid())
                          && x.branch().equals(h.branch())
                          && x.outcome() == h.outcome());
      if (!known) {
        heuristics.add(h);
      }
    }
    lost.damageAccepted().forEach(damageAccepted::putIfAbsent);
    return this;
  }

  // ---- point queries for LiveLogState (under the log's append lock) ----

  LogState.DecidedTransaction decided(Gtrid g) {
    return decided.get(g);
  }

  LogState.BegunTransaction begun(Gtrid g) {
    return begunOnly.get(g);
  }

  Outcome endedOutcome(Gtrid g) {
    if (committedAndEnded.contains(g)) {
      return Outcome.COMMITTED;
    }
    return rolledBackAndEnded.contains(g) ? Outcome.ROLLED_BACK : null;
  }

  String keptInDoubt(Gtrid g) {
    return keptInDoubt.get(g);
  }

  boolean isStarted(long epoch, int incarnation) {
    Set<Integer> s = starts.get(epoch);
    return s != null && s.contains(incarnation);
  }

  List<LogState.HeuristicEntry> heuristicsCopy() {
    return List.copyOf(heuristics);
  }

  java.util.SortedMap<Long, String> damageAcceptedCopy() {
    return java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(damageAccepted));
  }

  /** A copy of the registered resources. */
  Map<String, ResourceDescriptor> resourcesCopy() {
    return Map.copyOf(resources);
  }

  /** The descriptor registered for {@code resourceId}, or null. */
  ResourceDescriptor resource(String resourceId) {
    return resources.get(resourceId);
  }

  /**
   * Keeps the ended transactions of {@code from} (which a checkpoint does not carry): while a
   * recovery pass observes, a transaction that ended between its scan and its decision must still
   * read as ended (see {@link LogView#observe()}).
   */
  void carryEnded(LogStateBuilder from) {
    committedAndEnded.addAll(from.committedAndEnded);
    rolledBackAndEnded.addAll(from.rolledBackAndEnded);
  }

  /**
   * Notes a record whose type is in the TM range but unknown to this version; skipped.
   *
   * @param lsn the record's LSN
   * @param type its WAL type
   * @return this builder
   */
  public LogStateBuilder unknownType(long lsn, int type) {
    lastLsn = Math.max(lastLsn, lsn);
    anomaly(lsn, "record type " + type + " is reserved for the TM but unknown to this version");
    return this;
  }

  /** {@return the state after the records applied so far; the builder can go on} */
  public LogState build() {
    return new LogState(
        nodeId,
        epoch,
        lastLsn,
        resources,
        decided,
        begunOnly,
        committedAndEnded,
        rolledBackAndEnded,
        heuristics,
        anomalies,
        starts,
        keptInDoubt,
        damageAccepted);
  }

  private void epochStarted(long lsn, TxRecord.EpochStarted r) {
    started(r.epoch(), r.incarnation()); // even when out of order: that start happened
    if (r.epoch() <= epoch) {
      anomaly(lsn, "epoch " + r.epoch() + " does not increase the current epoch " + epoch);
      return;
    }
    if (nodeId != null && !nodeId.equals(r.nodeId())) {
      anomaly(lsn, "epoch record names node " + r.nodeId() + " after node " + nodeId);
    }
    epoch = r.epoch();
    nodeId = r.nodeId();
  }

  private void begin(long lsn, TxRecord.Begin r) {
    Gtrid g = r.gtrid();
    if (decided.containsKey(g) || committedAndEnded.contains(g) || begunOnly.containsKey(g)) {
      anomaly(lsn, "Begin for " + g + " which already has a Begin or a decision");
      return;
    }
    begunOnly.put(g, new LogState.BegunTransaction(g, r.branches(), r.deadlineMillis()));
  }

  private void committing(long lsn, TxRecord.Committing r) {
    Gtrid g = r.gtrid();
    if (decided.containsKey(g) || committedAndEnded.contains(g)) {
      anomaly(lsn, "second Committing for " + g);
      return;
    }
    begunOnly.remove(g);
    keptInDoubt.remove(g); // an operator decided to commit it
    decided.put(g, new LogState.DecidedTransaction(g, r.branches(), lsn));
  }

  private void end(long lsn, TxRecord.End r) {
    Gtrid g = r.gtrid();
    if (keptInDoubt.remove(g) != null && !decided.containsKey(g)) {
      // An operator resolved it: remember the outcome like any ended transaction's.
      begunOnly.remove(g);
      (r.outcome() == Outcome.COMMITTED ? committedAndEnded : rolledBackAndEnded).add(g);
      return;
    }
    if (decided.containsKey(g)) {
      if (r.outcome() != Outcome.COMMITTED) {
        // Never let a record turn a decided commit into a rollback (I3): keep it decided.
        anomaly(lsn, "End " + r.outcome() + " for " + g + " which has a Committing; kept decided");
        return;
      }
      decided.remove(g);
      committedAndEnded.add(g);
    } else if (begunOnly.remove(g) != null) {
      if (r.outcome() == Outcome.ROLLED_BACK) {
        rolledBackAndEnded.add(g);
      }
    } else {
      anomaly(lsn, "End " + r.outcome() + " for " + g + " with no open Begin or Committing");
    }
  }

  private void heuristicCleared(long lsn, TxRecord.HeuristicCleared r) {
    boolean removed =
        heuristics.removeIf(h -> h.gtrid().equals(r.gtrid()) && h.branch().equals(r.branch()));
    if (!removed) {
      anomaly(lsn, "HeuristicCleared for " + r.gtrid() + " " + r.branch() + " with no heuristic");
    }
  }

  private void anomaly(long lsn, String what) {
    String message = "TM log replay: skipped LSN " + lsn + ": " + what;
    LOG.log(Level.WARNING, message);
    anomalies.add(message);
  }
}
