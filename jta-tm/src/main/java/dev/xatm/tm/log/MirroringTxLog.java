package dev.xatm.tm.log;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.cluster.DecisionMirror;
import dev.xatm.tm.cluster.MirrorException;
import dev.xatm.tm.cluster.MirrorRow;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The TM log in cluster mode (docs/cluster.md, "Decision mirror"): the local log, with every record
 * a peer needs also in the cluster database. A commit decision is written to the mirror first, and
 * the mirror's commit is the decision point; then the local {@code Committing} is forced, and only
 * then may a resource hear "commit". Process starts and resource recipes are mirrored before their
 * local records; a decision's row is forgotten once its {@code End} is written.
 *
 * <p>The local log stays the authority while the lease is held; {@link #reconcile} brings the two
 * together at start, before anything is decided.
 *
 * <p>Threading: as {@link TxLog}; the settler thread alone removes unsettled decisions.
 */
public final class MirroringTxLog implements TxLog {
  private static final System.Logger LOG = System.getLogger(MirroringTxLog.class.getName());
  private static final long SETTLE_EVERY_MILLIS = 1000;

  private final TxLog local;
  private final DecisionMirror mirror;
  private final Failpoints failpoints;
  private final Map<Gtrid, List<Branch>> unsettled = new ConcurrentHashMap<>();
  private final Object settlerLock = new Object();
  private Thread settler; // guarded by settlerLock
  private volatile boolean closed;

  /**
   * @param local the node's own log
   * @param mirror its mirror, under the node's lease
   */
  public MirroringTxLog(TxLog local, DecisionMirror mirror) {
    this(local, mirror, Failpoints.none());
  }

  /**
   * @param local the node's own log
   * @param mirror its mirror, under the node's lease
   * @param failpoints the TM's failpoints ({@link Failpoint#AFTER_MIRROR_DECISION}; crash tests)
   */
  public MirroringTxLog(TxLog local, DecisionMirror mirror, Failpoints failpoints) {
    this.local = Objects.requireNonNull(local, "local");
    this.mirror = Objects.requireNonNull(mirror, "mirror");
    this.failpoints = Objects.requireNonNull(failpoints, "failpoints");
  }

  /** {@return the node's own log} */
  public TxLog local() {
    return local;
  }

  /**
   * Whether a decision of this process is unsettled: its mirror write had no answer, so it may be
   * decided or not; nothing may act on its branches until the settler knows.
   *
   * @param g the transaction
   * @return true while it is unsettled
   */
  public boolean unsettled(Gtrid g) {
    return unsettled.containsKey(g);
  }

  /** {@return how many decisions are unsettled now} */
  public int unsettledCount() {
    return unsettled.size();
  }

  /**
   * Brings the local log and the mirror together at start, after {@link #replay()} and before the
   * new epoch is logged (docs/cluster.md, "Start"):
   *
   * <ul>
   *   <li>a decision the mirror holds and the local log does not (a crash after the mirror's commit
   *       and before the local force) is forced into the local log, so recovery commits it;
   *   <li>a decision, start or resource the local log holds and the mirror does not (a log from
   *       before the cluster mode) is mirrored, so a peer knows it;
   *   <li>tombstones (decisions settled as aborted) are dropped: the new lease epoch fences every
   *       write of the earlier ones.
   * </ul>
   *
   * @param state the replayed local state
   * @return how many decisions came from the mirror
   * @throws TxLogException the mirror cannot be read or written, or the local log failed
   */
  public int reconcile(LogState state) throws TxLogException {
    List<MirrorRow> rows;
    try {
      rows = mirror.rows();
    } catch (MirrorException e) {
      throw new TxLogException("reading the decision mirror failed: " + e.getMessage(), e);
    }
    Set<Gtrid> mirrored = new HashSet<>();
    Set<String> mirroredStarts = new HashSet<>();
    Set<String> mirroredResources = new HashSet<>();
    Set<String> tombstones = new HashSet<>();
    int fromMirror = 0;
    for (MirrorRow row : rows) {
      switch (row.kind()) {
        case START -> mirroredStarts.add(HexFormat.of().formatHex(row.key()));
        case RESOURCE ->
            mirroredResources.add(new String(row.key(), java.nio.charset.StandardCharsets.UTF_8));
        case DECISION -> {
          if (row.aborted()) {
            tombstones.add(HexFormat.of().formatHex(row.key()));
            continue;
          }
          TxRecord.Committing c = decodeCommitting(row.record());
          mirrored.add(c.gtrid());
          if (!state.decided().containsKey(c.gtrid()) && state.endedOutcome(c.gtrid()).isEmpty()) {
            local.logCommitting(c.gtrid(), c.branches());
            fromMirror++;
            LOG.log(
                Level.WARNING,
                "decision for "
                    + c.gtrid()
                    + " taken from the cluster mirror: the local log lacks it (a crash between"
                    + " the mirror's commit and the local force); recovery commits it");
          }
        }
      }
    }
    for (Gtrid g : state.decided().keySet()) {
      if (tombstones.contains(HexFormat.of().formatHex(g.toBytes()))) {
        throw new TxLogException(
            "the local log holds a decision for "
                + g
                + " that the cluster mirror settled as aborted: the two disagree, which the"
                + " protocol never produces (a local Committing follows the mirror's decision)."
                + " Nothing was done; this needs an operator (docs/cluster.md)");
      }
    }
    for (String t : tombstones) {
      mirror.forget(HexFormat.of().parseHex(t)); // the new epoch fences the old writes
    }
    try {
      for (Map.Entry<Long, Set<Integer>> e : state.starts().entrySet()) {
        for (int incarnation : e.getValue()) {
          MirrorRow row = startRow(state.nodeId(), e.getKey(), incarnation, 0);
          if (!mirroredStarts.contains(HexFormat.of().formatHex(row.key()))) {
            mirror.put(row);
          }
        }
      }
      for (ResourceDescriptor d : state.resources().values()) {
        if (!mirroredResources.contains(d.resourceId())) {
          mirror.put(resourceRow(d));
        }
      }
      for (LogState.DecidedTransaction t : state.decided().values()) {
        if (!mirrored.contains(t.gtrid())) {
          byte[] rec = TxRecordCodec.encode(new TxRecord.Committing(t.gtrid(), t.branches()));
          if (!mirror.decide(t.gtrid().toBytes(), rec)) {
            throw new TxLogException(
                "the decision mirror refuses the local log's decision for "
                    + t.gtrid()
                    + ": this node's new lease epoch is no longer the lease's");
          }
        }
      }
    } catch (MirrorException e) {
      throw new TxLogException("writing the decision mirror failed: " + e.getMessage(), e);
    }
    return fromMirror;
  }

  @Override
  public String nodeId() {
    return local.nodeId();
  }

  @Override
  public long logId() {
    return local.logId();
  }

  @Override
  public LogState replay() throws TxLogException {
    return local.replay();
  }

  @Override
  public LogView view() {
    return local.view();
  }

  @Override
  public boolean openedDespiteDamage() {
    return local.openedDespiteDamage();
  }

  @Override
  public void logEpoch(long epoch, int incarnation, long startedAtMillis) throws TxLogException {
    put(startRow(local.nodeId(), epoch, incarnation, startedAtMillis), "start of epoch " + epoch);
    local.logEpoch(epoch, incarnation, startedAtMillis);
  }

  @Override
  public void logResourceRegistered(ResourceDescriptor descriptor) throws TxLogException {
    put(resourceRow(descriptor), "resource " + descriptor.resourceId());
    local.logResourceRegistered(descriptor);
  }

  @Override
  public CompletableFuture<?> logBegin(Gtrid gtrid, List<Branch> branches, long deadlineMillis) {
    return local.logBegin(gtrid, branches, deadlineMillis);
  }

  /**
   * The decision: the mirror first (its commit is the decision point), then the local force.
   *
   * @throws MirrorDecisionException refused (not decided), unknown (settled in the background), or
   *     decided but not durable locally (the TM must stop)
   * @throws TxLogException never otherwise
   */
  @Override
  public void logCommitting(Gtrid gtrid, List<Branch> branches) throws TxLogException {
    byte[] record = TxRecordCodec.encode(new TxRecord.Committing(gtrid, branches));
    boolean decided;
    try {
      decided = mirror.decide(gtrid.toBytes(), record);
    } catch (MirrorException e) {
      unsettled.put(gtrid, List.copyOf(branches));
      startSettler();
      throw new MirrorDecisionException(
          MirrorDecisionException.State.UNKNOWN,
          "the cluster database did not answer the decision's write ("
              + e.getMessage()
              + "): the decision is settled as soon as it answers again, and recovery then"
              + " finishes the branches",
          e);
    }
    if (!decided) {
      throw new MirrorDecisionException(
          MirrorDecisionException.State.REFUSED,
          "the decision mirror refused the decision: this node's lease epoch is no longer the"
              + " lease's (a peer took the node id over)",
          null);
    }
    try {
      failpoints.hit(Failpoint.AFTER_MIRROR_DECISION, gtrid, 0);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "failpoint after the mirror decision of " + gtrid + " ignored", e);
    }
    try {
      local.logCommitting(gtrid, branches);
    } catch (TxLogException e) {
      throw new MirrorDecisionException(
          MirrorDecisionException.State.DECIDED,
          "decided in the cluster mirror, but the local log failed: " + e.getMessage(),
          e);
    }
  }

  @Override
  public void logHeuristic(Gtrid gtrid, Branch branch, HeuristicOutcome outcome)
      throws TxLogException {
    local.logHeuristic(gtrid, branch, outcome);
  }

  @Override
  public void logHeuristicCleared(Gtrid gtrid, Branch branch) throws TxLogException {
    local.logHeuristicCleared(gtrid, branch);
  }

  @Override
  public void logKeptInDoubt(Gtrid gtrid, String reason) throws TxLogException {
    local.logKeptInDoubt(gtrid, reason);
  }

  @Override
  public void logDamageAccepted(long epoch, String what) throws TxLogException {
    local.logDamageAccepted(epoch, what);
  }

  @Override
  public void logDamageCleared(long epoch) throws TxLogException {
    local.logDamageCleared(epoch);
  }

  @Override
  public CompletableFuture<?> logEnd(Gtrid gtrid, Outcome outcome) {
    boolean decided = local.view().decided(gtrid).isPresent();
    CompletableFuture<?> f = local.logEnd(gtrid, outcome);
    if (decided) {
      byte[] key = gtrid.toBytes();
      f.whenComplete(
          (ok, failed) -> {
            if (failed == null) {
              mirror.forget(key);
            }
          });
    }
    return f;
  }

  @Override
  public void close() throws TxLogException {
    closed = true;
    Thread t;
    synchronized (settlerLock) {
      t = settler;
    }
    if (t != null) {
      t.interrupt();
    }
    local.close();
  }

  private void put(MirrorRow row, String what) throws TxLogException {
    try {
      mirror.put(row);
    } catch (MirrorException e) {
      throw new TxLogException(
          "the cluster mirror could not record the " + what + ": " + e.getMessage(), e);
    }
  }

  private void startSettler() {
    synchronized (settlerLock) {
      if (settler != null && settler.isAlive()) {
        return;
      }
      settler = new Thread(this::settleLoop, "xatm-mirror-settler-" + local.nodeId());
      settler.setDaemon(true);
      settler.start();
    }
  }

  /** Until every unsettled decision is settled: ask the mirror, then log what it says. */
  private void settleLoop() {
    while (!closed && !unsettled.isEmpty()) {
      for (Map.Entry<Gtrid, List<Branch>> e : unsettled.entrySet()) {
        Gtrid g = e.getKey();
        try {
          if (mirror.settle(g.toBytes())) {
            local.logCommitting(g, e.getValue());
            LOG.log(
                Level.WARNING, "unsettled decision for " + g + ": decided; recovery commits it");
          } else {
            LOG.log(
                Level.WARNING,
                "unsettled decision for " + g + ": not decided; recovery rolls it back");
          }
          unsettled.remove(g);
        } catch (MirrorException ex) {
          break; // still unreachable: try again later
        } catch (TxLogException ex) {
          // The local log failed: the TM's fail-stop takes over; the mirror holds the decision.
          LOG.log(Level.ERROR, "logging the settled decision for " + g + " failed", ex);
          unsettled.remove(g);
        }
      }
      try {
        TimeUnit.MILLISECONDS.sleep(SETTLE_EVERY_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static MirrorRow startRow(String nodeId, long epoch, int incarnation, long at) {
    return MirrorRow.start(
        epoch,
        incarnation,
        TxRecordCodec.encode(new TxRecord.EpochStarted(nodeId, epoch, at, incarnation)));
  }

  private static MirrorRow resourceRow(ResourceDescriptor d) {
    return MirrorRow.resource(
        d.resourceId(), TxRecordCodec.encode(new TxRecord.ResourceRegistered(d)));
  }

  static TxRecord.Committing decodeCommitting(byte[] record) throws TxLogException {
    TxRecord r = TxRecordCodec.decode(TxRecordType.COMMITTING, record);
    if (r instanceof TxRecord.Committing c) {
      return c;
    }
    throw new TxLogFormatException("a mirror decision row holds " + r.type() + ", not COMMITTING");
  }
}
