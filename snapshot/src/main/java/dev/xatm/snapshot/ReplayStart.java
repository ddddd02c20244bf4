package dev.xatm.snapshot;

import dev.xatm.wal.SegmentInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where startup begins: the checkpoint to load (if any) and the first LSN to replay after it.
 *
 * @param checkpoint the newest checkpoint that verifies and is covered by the log, or empty when
 *     the log still starts at LSN 1 and no checkpoint is usable
 * @param fromLsn replay records with LSN &ge; this (L + 1, or 1 without a checkpoint)
 * @param lost damaged mode only: the checkpoints beyond the end of the log, set aside and pending
 *     ({@link CheckpointStore#setAside}), oldest first. Their state is durable history the log
 *     lost: the caller merges it (their decided transactions are decided), makes the damage durable
 *     in the log, then accepts them ({@link CheckpointStore#acceptSetAside})
 */
public record ReplayStart(Optional<Checkpoint> checkpoint, long fromLsn, List<Checkpoint> lost) {
  /**
   * Copies the lost checkpoints.
   *
   * @param checkpoint the checkpoint to load, or empty
   * @param fromLsn the first LSN to replay
   * @param lost the checkpoints beyond the end of the log; copied
   */
  public ReplayStart {
    lost = List.copyOf(lost);
  }

  ReplayStart(Optional<Checkpoint> checkpoint, long fromLsn) {
    this(checkpoint, fromLsn, List.of());
  }

  private static final System.Logger LOG = System.getLogger(ReplayStart.class.getName());

  /**
   * Chooses the start for a log whose segments are {@code segments} (index order) and whose last
   * record is {@code lastLsn}: the newest checkpoint that verifies, belongs to {@code nodeId}, has
   * L &le; lastLsn and L + 1 &ge; the first segment's first LSN. Without one, a log that starts at
   * LSN 1 is replayed whole.
   *
   * @param store the log's checkpoint files
   * @param nodeId the log's node id; a checkpoint of another node is refused
   * @param segments the log's segments, in index order
   * @param lastLsn the LSN of the log's last valid record
   * @return the checkpoint to load and the LSN to replay from
   * @throws LogCoverageException the log starts after LSN 1 and no valid checkpoint covers the gap
   *     (never guess the state of deleted records)
   * @throws SnapshotException the checkpoint belongs to another node, or the files cannot be read
   */
  public static ReplayStart choose(
      CheckpointStore store, String nodeId, List<SegmentInfo> segments, long lastLsn)
      throws SnapshotException {
    return choose(store, nodeId, segments, lastLsn, false);
  }

  /**
   * As {@link #choose(CheckpointStore, String, List, long)}, first checking that no checkpoint that
   * verifies lies beyond the end of the log. A checkpoint is written only once the log is durable
   * up to its LSN, so one beyond {@code lastLsn} proves that durable records were lost (a lost
   * Committing would become a presumed abort).
   *
   * @param store the log's checkpoint files
   * @param nodeId the log's node id; a checkpoint of another node is refused
   * @param segments the log's segments, in index order
   * @param lastLsn the LSN of the log's last valid record
   * @param damagedMode the operator opened the log in damaged mode: such checkpoints are set aside
   *     (renamed, {@link CheckpointStore#setAside}) with a WARNING instead of refusing; later
   *     records must never be hidden behind them
   * @return the checkpoint to load, the LSN to replay from and, in damaged mode, the checkpoints
   *     set aside
   * @throws LogCoverageException such a checkpoint exists and not in damaged mode, naming both LSNs
   *     and the fix; or, as above, no valid checkpoint covers the start of the log
   * @throws SnapshotException a checkpoint belongs to another node, or the files cannot be read or
   *     renamed
   */
  public static ReplayStart choose(
      CheckpointStore store,
      String nodeId,
      List<SegmentInfo> segments,
      long lastLsn,
      boolean damagedMode)
      throws SnapshotException {
    List<Checkpoint> lost = new java.util.ArrayList<>();
    for (long lsn : store.listPendingSetAside()) {
      if (!damagedMode) {
        throw new LogCoverageException(
            "checkpoint "
                + store.pendingPath(lsn)
                + " was set aside by a damaged-mode start as beyond the end of the log (records"
                + " up to LSN "
                + lsn
                + " were durable and are lost), and that start stopped before it made the damage"
                + " durable in the log. Start again with xatm.log.open-damaged=true: recovery then"
                + " commits what that checkpoint decided and keeps everything else in doubt");
      }
      try {
        lost.add(store.loadPendingSetAside(lsn)); // set aside by an earlier damaged start
      } catch (CheckpointCorruptException e) {
        LOG.log(System.Logger.Level.WARNING, "set-aside checkpoint does not verify: " + e);
      }
    }
    List<Long> present = store.list();
    for (int i = present.size() - 1; i >= 0 && present.get(i) > lastLsn; i--) {
      long lsn = present.get(i);
      Checkpoint beyond;
      try {
        beyond = store.load(lsn);
      } catch (CheckpointCorruptException e) {
        continue; // never verified: it proves nothing (loadNewest warns about it)
      }
      String what =
          "checkpoint "
              + store.path(lsn)
              + " is at LSN "
              + lsn
              + " but the log in "
              + store.directory()
              + " ends at LSN "
              + lastLsn
              + ": records "
              + (lastLsn + 1)
              + ".."
              + lsn
              + " were durable (a checkpoint is written only after that) and are lost";
      if (!damagedMode) {
        throw new LogCoverageException(
            what
                + ". Starting would presume abort for transactions decided there. Restore the lost"
                + " segments from a backup; or start with xatm.log.open-damaged=true, and recovery"
                + " commits what the remaining log decided and keeps everything else in doubt");
      }
      if (!beyond.nodeId().equals(nodeId)) {
        throw new SnapshotException(
            "checkpoint "
                + beyond.file()
                + " belongs to node id '"
                + beyond.nodeId()
                + "' but the log belongs to '"
                + nodeId
                + "'; a node must never start from another node's state");
      }
      // Set aside before anything is appended: later records must never fall behind it.
      Path aside = store.setAside(lsn);
      LOG.log(
          System.Logger.Level.WARNING,
          what
              + "; damaged mode: its decided transactions are kept (committed by recovery), and it"
              + " is set aside as "
              + aside.getFileName());
      lost.add(
          new Checkpoint(aside, beyond.lsn(), beyond.nodeId(), beyond.epoch(), beyond.payload()));
    }
    lost.sort(java.util.Comparator.comparingLong(Checkpoint::lsn));
    long firstPresent = segments.isEmpty() ? 1 : segments.get(0).firstLsn();
    long maxLsn = lastLsn;
    while (true) {
      Optional<Checkpoint> c = store.loadNewest(maxLsn);
      if (c.isEmpty()) {
        break;
      }
      Checkpoint cp = c.get();
      if (!cp.nodeId().equals(nodeId)) {
        throw new SnapshotException(
            "checkpoint "
                + cp.file()
                + " belongs to node id '"
                + cp.nodeId()
                + "' but the log belongs to '"
                + nodeId
                + "'; a node must never start from another node's state");
      }
      if (cp.lsn() + 1 >= firstPresent) {
        return new ReplayStart(c, cp.lsn() + 1, lost);
      }
      throw new LogCoverageException(
          "the log in "
              + store.directory()
              + " starts at LSN "
              + firstPresent
              + " (segment "
              + segments.get(0).index()
              + ") but the newest valid checkpoint, "
              + cp.file().getFileName()
              + ", covers only LSNs up to "
              + cp.lsn()
              + ": LSNs "
              + (cp.lsn() + 1)
              + ".."
              + (firstPresent - 1)
              + " are missing. Restore the missing segments or a backup; the state is not guessed");
    }
    if (firstPresent <= 1) {
      return new ReplayStart(Optional.empty(), 1, lost);
    }
    throw new LogCoverageException(
        "the log in "
            + store.directory()
            + " starts at LSN "
            + firstPresent
            + " (segment "
            + segments.get(0).index()
            + ") and no valid checkpoint covers LSNs 1.."
            + (firstPresent - 1)
            + " (checkpoint files present: "
            + store.list()
            + "). Restore a checkpoint or a backup; the state is not guessed");
  }
}
