package dev.xatm.cli;

import dev.xatm.snapshot.Checkpoint;
import dev.xatm.snapshot.CheckpointStore;
import dev.xatm.snapshot.ReplayStart;
import dev.xatm.snapshot.SnapshotException;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.LogStateBuilder;
import dev.xatm.tm.log.TmCheckpointCodec;
import dev.xatm.tm.log.TxLogFormatException;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.log.TxRecordType;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalRecord;
import dev.xatm.wal.WalVerification;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The TM state a start of this log would rebuild, rebuilt read-only: the same choice of checkpoint
 * as startup ({@link ReplayStart#choose}), the checkpoint's state ({@link TmCheckpointCodec}), then
 * the records after it through the TM's replay rules ({@link LogStateBuilder}), as {@code
 * WalTxLog.replay()} does. Nothing is written: no epoch is taken, no checkpoint is set aside.
 *
 * @param checkpoints every checkpoint file, newest last, with whether it verifies
 * @param start where replay began; empty when no start is possible ({@link #problem})
 * @param state the replayed state; {@code null} when replay was impossible
 * @param recordsByType records read after the start, by TM type
 * @param otherRecords records read of types outside the TM's
 * @param problem why replay was impossible or incomplete, or {@code null}
 * @param epochStartedMillis when each epoch replayed after the start began (EpochStarted records;
 *     epochs only in the checkpoint are absent): an upper bound on the age of its transactions
 */
record ReplayedLog(
    List<CheckpointFile> checkpoints,
    Optional<ReplayStart> start,
    LogState state,
    Map<TxRecordType, Integer> recordsByType,
    int otherRecords,
    String problem,
    Map<Long, Long> epochStartedMillis) {

  /** One checkpoint file: {@code error} is {@code null} when it verifies. */
  record CheckpointFile(long lsn, Checkpoint checkpoint, String error) {}

  static ReplayedLog replay(OfflineLog log, WalVerification scan, boolean acceptDamage)
      throws CliException {
    CheckpointStore store = new CheckpointStore(log.storage(), log.directory());
    List<CheckpointFile> files = new ArrayList<>();
    try {
      for (long lsn : store.list()) {
        try {
          files.add(new CheckpointFile(lsn, store.load(lsn), null));
        } catch (SnapshotException e) {
          files.add(new CheckpointFile(lsn, null, e.getMessage()));
        }
      }
    } catch (SnapshotException e) {
      throw log.io(e);
    }
    Map<TxRecordType, Integer> byType = new EnumMap<>(TxRecordType.class);
    ReplayStart start;
    LogStateBuilder b;
    try {
      start = ReplayStart.choose(store, scan.nodeId(), scan.segments(), scan.lastLsn());
      b =
          start.checkpoint().isPresent()
              ? TmCheckpointCodec.decode(start.checkpoint().get().payload()).builder()
              : new LogStateBuilder();
    } catch (SnapshotException | TxLogFormatException e) {
      return new ReplayedLog(files, Optional.empty(), null, byType, 0, e.getMessage(), Map.of());
    }
    int other = 0;
    String problem = null;
    Map<Long, Long> started = new java.util.TreeMap<>();
    try (WalCursor c = log.read(start.fromLsn(), acceptDamage)) {
      for (WalRecord r = c.next(); r != null; r = c.next()) {
        Optional<TxRecordType> type = TxRecordType.of(r.type());
        if (type.isPresent()) {
          byType.merge(type.get(), 1, Integer::sum);
          RecordView v = RecordView.of(r);
          if (v.error() != null) {
            problem = "LSN " + r.lsn() + " does not decode: " + v.error();
            break; // a start fails here too
          }
          b.apply(r.lsn(), v.record());
          if (v.record() instanceof TxRecord.EpochStarted e) {
            started.put(e.epoch(), e.startedAtMillis());
          }
        } else if (TxRecordType.reservedForTm(r.type())) {
          b.unknownType(r.lsn(), r.type());
          other++;
        } else {
          other++;
        }
      }
    } catch (WalException e) {
      throw log.io(e);
    }
    return new ReplayedLog(
        files, Optional.of(start), b.build(), byType, other, problem, Map.copyOf(started));
  }
}
