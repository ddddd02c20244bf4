package dev.xatm.snapshot;

import dev.xatm.wal.SegmentInfo;
import java.util.List;
import java.util.Optional;

/**
 * Where startup begins: the checkpoint to load (if any) and the first LSN to replay after it.
 *
 * @param checkpoint the newest checkpoint that verifies and is covered by the log, or empty when
 *     the log still starts at LSN 1 and no checkpoint is usable
 * @param fromLsn replay records with LSN &ge; this (L + 1, or 1 without a checkpoint)
 */
public record ReplayStart(Optional<Checkpoint> checkpoint, long fromLsn) {

  /**
   * Chooses the start for a log whose segments are {@code segments} (index order) and whose last
   * record is {@code lastLsn}: the newest checkpoint that verifies, belongs to {@code nodeId}, has
   * L &le; lastLsn and L + 1 &ge; the first segment's first LSN. Without one, a log that starts at
   * LSN 1 is replayed whole.
   *
   * @throws LogCoverageException the log starts after LSN 1 and no valid checkpoint covers the gap
   *     (never guess the state of deleted records)
   */
  public static ReplayStart choose(
      CheckpointStore store, String nodeId, List<SegmentInfo> segments, long lastLsn)
      throws SnapshotException {
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
        return new ReplayStart(c, cp.lsn() + 1);
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
      return new ReplayStart(Optional.empty(), 1);
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
