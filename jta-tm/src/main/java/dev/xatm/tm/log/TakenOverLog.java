package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.cluster.DecisionMirror;
import dev.xatm.tm.cluster.MirrorException;
import dev.xatm.tm.cluster.MirrorRow;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The log of a node a peer took over (docs/cluster.md, "Takeover"), as its decision mirror holds
 * it: its starts, its resources and its decisions. Recovery runs on it as on a node's own log; an
 * End forgets the decision's row. What recovery would log besides (a heuristic, a gtrid kept in
 * doubt) is kept in memory for the report: the dead node's own log is not here to hold it, and the
 * next takeover pass decides the same again.
 *
 * <p>Thread-safe (one lock).
 */
public final class TakenOverLog implements TxLog {
  private final String nodeId;
  private final long logId;
  private final DecisionMirror mirror;
  private final ReentrantLock lock = new ReentrantLock();
  private final LiveLogState live = new LiveLogState(lock);
  private long lsn; // guarded by lock

  /**
   * @param nodeId the dead node's id
   * @param logId its log's identity
   * @param mirror its mirror, under the takeover's epoch
   */
  public TakenOverLog(String nodeId, long logId, DecisionMirror mirror) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.logId = logId;
    this.mirror = Objects.requireNonNull(mirror, "mirror");
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public long logId() {
    return logId;
  }

  /**
   * Reads the mirror: starts in epoch order, then resources, then decisions (tombstones are aborted
   * decisions: presumed abort covers them).
   */
  @Override
  public LogState replay() throws TxLogException {
    List<MirrorRow> rows;
    try {
      rows = mirror.rows();
    } catch (MirrorException e) {
      throw new TxLogException(
          "reading node " + nodeId + "'s decision mirror failed: " + e.getMessage(), e);
    }
    List<MirrorRow> starts = new ArrayList<>();
    List<TxRecord> rest = new ArrayList<>();
    for (MirrorRow r : rows) {
      switch (r.kind()) {
        case START -> starts.add(r);
        case RESOURCE ->
            rest.add(0, TxRecordCodec.decode(TxRecordType.RESOURCE_REGISTERED, r.record()));
        case DECISION -> {
          if (!r.aborted()) {
            rest.add(MirroringTxLog.decodeCommitting(r.record()));
          }
        }
      }
    }
    starts.sort(Comparator.comparingLong(r -> ByteBuffer.wrap(r.key()).getLong()));
    LogStateBuilder b = new LogStateBuilder();
    long last = -1;
    lock.lock();
    try {
      for (MirrorRow s : starts) {
        ByteBuffer key = ByteBuffer.wrap(s.key());
        long epoch = key.getLong();
        int incarnation = key.getInt();
        if (epoch == last) {
          b.started(epoch, incarnation); // a second start of one epoch: known, not a new epoch
        } else {
          b.apply(++lsn, TxRecordCodec.decode(TxRecordType.EPOCH_STARTED, s.record()));
          last = epoch;
        }
      }
      for (TxRecord r : rest) {
        b.apply(++lsn, r);
      }
      LogState state = b.build();
      live.replayed(b);
      return state;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public LogView view() {
    return live;
  }

  @Override
  public void logEpoch(long epoch, int incarnation, long startedAtMillis) throws TxLogException {
    throw new TxLogException("a taken-over node's log gets no new epoch");
  }

  @Override
  public void logResourceRegistered(ResourceDescriptor descriptor) throws TxLogException {
    apply(new TxRecord.ResourceRegistered(descriptor));
  }

  @Override
  public CompletableFuture<?> logBegin(Gtrid gtrid, List<Branch> branches, long deadlineMillis) {
    return CompletableFuture.failedFuture(
        new TxLogException("a taken-over node's log begins no transaction"));
  }

  /** An operator's commit decision for the dead node: mirrored under the takeover's epoch. */
  @Override
  public void logCommitting(Gtrid gtrid, List<Branch> branches) throws TxLogException {
    TxRecord.Committing c = new TxRecord.Committing(gtrid, branches);
    boolean decided;
    try {
      decided = mirror.decide(gtrid.toBytes(), TxRecordCodec.encode(c));
    } catch (MirrorException e) {
      throw new TxLogException("the decision mirror did not answer: " + e.getMessage(), e);
    }
    if (!decided) {
      throw new TxLogException("the decision mirror refused the decision for " + gtrid);
    }
    apply(c);
  }

  @Override
  public void logHeuristic(Gtrid gtrid, Branch branch, HeuristicOutcome outcome) {
    apply(new TxRecord.Heuristic(gtrid, branch, outcome));
  }

  @Override
  public void logHeuristicCleared(Gtrid gtrid, Branch branch) {
    apply(new TxRecord.HeuristicCleared(gtrid, branch));
  }

  @Override
  public void logKeptInDoubt(Gtrid gtrid, String reason) {
    apply(new TxRecord.KeptInDoubt(gtrid, reason));
  }

  @Override
  public void logDamageAccepted(long epoch, String what) {
    apply(new TxRecord.DamageAccepted(epoch, what));
  }

  @Override
  public void logDamageCleared(long epoch) {
    apply(new TxRecord.DamageCleared(epoch));
  }

  @Override
  public CompletableFuture<?> logEnd(Gtrid gtrid, Outcome outcome) {
    boolean decided = live.decided(gtrid).isPresent();
    apply(new TxRecord.End(gtrid, outcome));
    if (decided) {
      mirror.forget(gtrid.toBytes());
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void close() {}

  private void apply(TxRecord r) {
    lock.lock();
    try {
      live.apply(++lsn, r);
    } finally {
      lock.unlock();
    }
  }
}
