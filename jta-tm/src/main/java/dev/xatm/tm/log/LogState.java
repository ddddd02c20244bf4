package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the TM log implies, rebuilt from its records alone by {@link LogStateBuilder}: the input of
 * recovery (DESIGN §6).
 *
 * <ul>
 *   <li>{@link #decided()}: transactions with a durable {@code Committing} and no {@code End} —
 *       recovery commits their branches (XAER_NOTA = already committed) and then writes End.
 *   <li>{@link #loggedOutcome(Gtrid)}: COMMITTED for any gtrid that has a Committing (ended or
 *       not); empty otherwise, which under presumed abort means "roll back" for gtrids of earlier
 *       epochs.
 *   <li>{@link #begunOnly()}: Begin without Committing and without End, for reporting (their
 *       branches are presumed aborted when of an earlier epoch).
 *   <li>{@link #resources()}: every resource registered, latest descriptor per id.
 *   <li>{@link #heuristics()}: every heuristic outcome logged and not cleared by a later {@code
 *       HeuristicCleared} record (an operator's action through recovery).
 *   <li>{@link #endedOutcome(Gtrid)}: the outcome of the End record, if any (a rolled-back End is
 *       only kept for transactions that had a Begin).
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class LogState {
  private final String nodeId;
  private final long epoch;
  private final long lastLsn;
  private final Map<String, ResourceDescriptor> resources;
  private final Map<Gtrid, DecidedTransaction> decided;
  private final Map<Gtrid, BegunTransaction> begunOnly;
  private final Set<Gtrid> committedAndEnded;
  private final Set<Gtrid> rolledBackAndEnded;
  private final List<HeuristicEntry> heuristics;
  private final List<String> anomalies;
  private final Map<Long, Set<Integer>> starts;
  private final Map<Gtrid, String> keptInDoubt;
  private final java.util.SortedMap<Long, String> damageAccepted;

  LogState(
      String nodeId,
      long epoch,
      long lastLsn,
      Map<String, ResourceDescriptor> resources,
      Map<Gtrid, DecidedTransaction> decided,
      Map<Gtrid, BegunTransaction> begunOnly,
      Set<Gtrid> committedAndEnded,
      Set<Gtrid> rolledBackAndEnded,
      List<HeuristicEntry> heuristics,
      List<String> anomalies,
      Map<Long, Set<Integer>> starts,
      Map<Gtrid, String> keptInDoubt,
      Map<Long, String> damageAccepted) {
    this.damageAccepted =
        java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(damageAccepted));
    this.nodeId = nodeId;
    this.epoch = epoch;
    this.lastLsn = lastLsn;
    this.resources = Map.copyOf(resources);
    this.decided = Map.copyOf(decided);
    this.begunOnly = Map.copyOf(begunOnly);
    this.committedAndEnded = Set.copyOf(committedAndEnded);
    this.rolledBackAndEnded = Set.copyOf(rolledBackAndEnded);
    this.heuristics = List.copyOf(heuristics);
    this.anomalies = List.copyOf(anomalies);
    Map<Long, Set<Integer>> s = new java.util.HashMap<>();
    starts.forEach((e, i) -> s.put(e, Set.copyOf(i)));
    this.starts = Map.copyOf(s);
    this.keptInDoubt = Map.copyOf(keptInDoubt);
  }

  /**
   * {@return the gtrids recovery kept in doubt for an operator, with the reason} That is a {@code
   * KeptInDoubt} record and no Committing or End since: never presumed aborted. Checkpoints carry
   * them.
   */
  public Map<Gtrid, String> keptInDoubt() {
    return keptInDoubt;
  }

  /**
   * {@return the starts that accepted a damaged log and no operator has cleared since, epoch to
   * what was accepted} ({@code DamageAccepted}): no Xid of an earlier epoch is presumed aborted.
   * Checkpoints carry them.
   */
  public java.util.SortedMap<Long, String> damageAccepted() {
    return damageAccepted;
  }

  /**
   * {@return the process starts the log records, epoch to incarnations} Only starts that recorded
   * one: versions before issue 10 did not. Checkpoints carry them all.
   */
  public Map<Long, Set<Integer>> starts() {
    return starts;
  }

  /**
   * {@return true when the log records a process start with this epoch and incarnation}
   *
   * @param epoch the epoch of a gtrid
   * @param incarnation its incarnation
   */
  public boolean started(long epoch, int incarnation) {
    return starts.getOrDefault(epoch, Set.of()).contains(incarnation);
  }

  /**
   * {@return the node id of the last EpochStarted record, or {@code null} for a log without one}
   */
  public String nodeId() {
    return nodeId;
  }

  /** {@return the highest epoch recorded (0 for a new log)} */
  public long epoch() {
    return epoch;
  }

  /** {@return the LSN of the last record applied (0 when none)} */
  public long lastLsn() {
    return lastLsn;
  }

  /** {@return every resource registered, by resource id, with its latest descriptor} */
  public Map<String, ResourceDescriptor> resources() {
    return resources;
  }

  /** {@return the decided (Committing durable) but unfinished (no End) transactions, by gtrid} */
  public Map<Gtrid, DecidedTransaction> decided() {
    return decided;
  }

  /** {@return the transactions with a Begin and neither Committing nor End, by gtrid} */
  public Map<Gtrid, BegunTransaction> begunOnly() {
    return begunOnly;
  }

  /**
   * {@return {@link #begunOnly()} restricted to epochs before {@code currentEpoch}: presumed
   * aborted}
   *
   * @param currentEpoch the epoch of the running process
   */
  public List<BegunTransaction> begunOnlyBefore(long currentEpoch) {
    return begunOnly.values().stream().filter(b -> b.gtrid().epoch() < currentEpoch).toList();
  }

  /**
   * {@return the outcome the log decided for a gtrid} COMMITTED when a Committing record exists
   * (whether or not an End followed); empty when none does, which presumed abort reads as rolled
   * back.
   *
   * @param gtrid the transaction
   */
  public Optional<Outcome> loggedOutcome(Gtrid gtrid) {
    return decided.containsKey(gtrid) || committedAndEnded.contains(gtrid)
        ? Optional.of(Outcome.COMMITTED)
        : Optional.empty();
  }

  /**
   * {@return the outcome of the gtrid's End record} COMMITTED after Committing + End, ROLLED_BACK
   * after Begin + End(rolled back); empty when it has no End.
   *
   * @param gtrid the transaction
   */
  public Optional<Outcome> endedOutcome(Gtrid gtrid) {
    if (committedAndEnded.contains(gtrid)) {
      return Optional.of(Outcome.COMMITTED);
    }
    return rolledBackAndEnded.contains(gtrid) ? Optional.of(Outcome.ROLLED_BACK) : Optional.empty();
  }

  /** {@return the heuristic outcomes logged and not cleared by an operator} */
  public List<HeuristicEntry> heuristics() {
    return heuristics;
  }

  /** {@return the well-formed but unexpected sequences that the replay logged and skipped} */
  public List<String> anomalies() {
    return anomalies;
  }

  /**
   * {@return this state as a {@link LogView}} For offline tools, which read a log without
   * appending.
   */
  public LogView asView() {
    return new FixedLogView(this);
  }

  /**
   * A transaction whose commit was decided.
   *
   * @param gtrid the transaction
   * @param branches every branch to commit
   * @param committingLsn the LSN of its Committing record
   */
  public record DecidedTransaction(Gtrid gtrid, List<Branch> branches, long committingLsn) {
    /**
     * Copies the branches.
     *
     * @param gtrid the transaction
     * @param branches every branch to commit; copied
     * @param committingLsn the LSN of its Committing record
     */
    public DecidedTransaction {
      branches = List.copyOf(branches);
    }
  }

  /**
   * A transaction whose phase 1 started and that has no decision in the log.
   *
   * @param gtrid the transaction
   * @param branches its branches
   * @param deadlineMillis when it times out, in the TM clock's epoch milliseconds
   */
  public record BegunTransaction(Gtrid gtrid, List<Branch> branches, long deadlineMillis) {
    /**
     * Copies the branches.
     *
     * @param gtrid the transaction
     * @param branches its branches; copied
     * @param deadlineMillis when it times out
     */
    public BegunTransaction {
      branches = List.copyOf(branches);
    }
  }

  /**
   * A heuristic outcome a resource reported for one branch.
   *
   * @param gtrid the transaction
   * @param branch the branch
   * @param outcome what the resource did on its own
   * @param lsn the LSN of its Heuristic record
   */
  public record HeuristicEntry(Gtrid gtrid, Branch branch, HeuristicOutcome outcome, long lsn) {}

  @Override
  public String toString() {
    return "LogState[node="
        + nodeId
        + ", epoch="
        + epoch
        + ", lastLsn="
        + lastLsn
        + ", resources="
        + resources.size()
        + ", decided="
        + decided.size()
        + ", begunOnly="
        + begunOnly.size()
        + ", heuristics="
        + heuristics.size()
        + ", keptInDoubt="
        + keptInDoubt.size()
        + ", anomalies="
        + anomalies.size()
        + "]";
  }
}
