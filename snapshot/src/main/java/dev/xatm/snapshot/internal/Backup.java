package dev.xatm.snapshot.internal;

import dev.xatm.snapshot.BackupReport;
import dev.xatm.snapshot.BackupVerificationException;
import dev.xatm.snapshot.Checkpoint;
import dev.xatm.snapshot.CheckpointStore;
import dev.xatm.snapshot.SnapshotException;
import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalVerification;
import dev.xatm.wal.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Online backup of a running log (seeds decision 27): reserve segments against GC, hard-link (copy
 * across file systems) the newest checkpoint and every sealed segment from its L onward, copy the
 * active segment (a torn last record in the copy is a legal torn tail), fsync, release the
 * reservation, remove what an earlier backup in the same target no longer needs, write the copy's
 * {@code wal.head} naming the newest segment copied, then verify the copy read-only ({@link
 * Wal#verify}): a gap-free chain of this node from the checkpoint. Restore is ordinary startup on
 * the copy with the same node id.
 *
 * <p>Incremental: files already in the target are reused, except the highest segment of the earlier
 * backup (it was the active one then, and may have grown); ones no longer needed are deleted after
 * the new ones are durable, so a crash mid-backup leaves the earlier backup or the new one
 * restorable.
 *
 * <p>Threading: one backup per target at a time; runs concurrently with appends and checkpoints.
 */
public final class Backup {
  private final Wal wal;
  private final Path logDirectory;
  private final CheckpointStore checkpoints;
  private final SegmentReservations reservations;
  private final Checkpointer checkpointer; // null: checkpoints disabled
  private final Storage storage;
  private final int maxRecordSize;
  private final Clock clock;

  public Backup(
      Wal wal,
      Path logDirectory,
      CheckpointStore checkpoints,
      SegmentReservations reservations,
      Checkpointer checkpointer,
      Storage storage,
      int maxRecordSize,
      Clock clock) {
    this.wal = wal;
    this.logDirectory = logDirectory;
    this.checkpoints = checkpoints;
    this.reservations = reservations;
    this.checkpointer = checkpointer;
    this.storage = storage;
    this.maxRecordSize = maxRecordSize;
    this.clock = clock;
  }

  /** Backs the log up into {@code target} (created if absent) and verifies the copy. */
  public BackupReport run(Path target) throws SnapshotException {
    int[] counts = new int[4]; // linked, copied, kept, removed
    long l;
    SegmentReservations.Reservation reservation;
    try {
      mkdirs(target);
      Set<String> before = names(target);
      long previousLast = highestSegment(before);
      // Pick the checkpoint and reserve from L + 1 while no checkpoint or GC can run.
      if (checkpointer != null) {
        checkpointer.lock().lock();
      }
      try {
        Optional<Long> newest = newestValid();
        l = newest.orElse(0L);
        if (newest.isEmpty() && wal.segments().get(0).firstLsn() > 1) {
          throw new SnapshotException(
              "no valid checkpoint in " + logDirectory + " and the log starts after LSN 1");
        }
        reservation = reservations.reserve(l + 1, "online backup to " + target, clock.millis());
        try {
          if (newest.isPresent()) {
            String name = CheckpointFormat.fileName(l);
            if (before.contains(name)) {
              counts[2]++;
            } else {
              transfer(checkpoints.path(l), target.resolve(name), counts, true);
            }
          }
        } catch (IOException | RuntimeException e) {
          reservation.close(); // a failed backup must not pin the log
          throw e;
        }
      } finally {
        if (checkpointer != null) {
          checkpointer.lock().unlock();
        }
      }
      long firstIndex;
      try (reservation) {
        List<SegmentInfo> needed = needed(wal.segments(), l);
        firstIndex = needed.get(0).index();
        for (SegmentInfo s : needed) {
          String name = SegmentNames.name(s.index());
          Path source = SegmentNames.path(logDirectory, s.index());
          if (s.active()) {
            transfer(source, target.resolve(name), counts, false);
          } else if (before.contains(name) && s.index() != previousLast) {
            counts[2]++;
          } else {
            transfer(source, target.resolve(name), counts, true);
          }
        }
        storage.syncDirectory(target);
      }
      counts[3] = removeObsolete(target, l, firstIndex);
      // The copy gets its own wal.head naming the newest segment copied, so that a restore opens
      // strictly with the end-of-log checks (a format-2 log without one is refused). Until it is
      // replaced, the head of the earlier run keeps the copy restorable: a copy's head allows
      // later segments, and a named segment that this run removed as obsolete (FORMAT.md).
      try {
        Wal.writeHeadOfCopy(WalConfig.builder(target).storage(storage).build());
      } catch (WalException e) {
        throw new SnapshotException("backup to " + target + " failed: " + e.getMessage(), e);
      }
    } catch (SnapshotException e) {
      throw e;
    } catch (IOException e) {
      throw new SnapshotException("backup to " + target + " failed: " + e, e);
    }
    return verify(target, l, counts);
  }

  private Optional<Long> newestValid() throws SnapshotException {
    Optional<Checkpoint> c = checkpoints.loadNewest(wal.durableLsn());
    return c.map(Checkpoint::lsn);
  }

  /** The segments from the one holding L + 1 through the active one. */
  private static List<SegmentInfo> needed(List<SegmentInfo> segments, long l) {
    List<SegmentInfo> out = new ArrayList<>();
    for (SegmentInfo s : segments) {
      if (!out.isEmpty() || s.lastLsn() >= l + 1 || s.active()) {
        out.add(s);
      }
    }
    return out;
  }

  private void transfer(Path source, Path target, int[] counts, boolean link) throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    if (link && FileOps.linkOrCopy(storage, source, target, temp)) {
      counts[0]++;
    } else {
      if (!link) {
        FileOps.copy(storage, source, target, temp);
      }
      counts[1]++;
    }
  }

  private int removeObsolete(Path target, long l, long firstIndex) throws IOException {
    int removed = 0;
    for (Path p : storage.list(target)) {
      String name = p.getFileName().toString();
      long index = SegmentNames.indexOf(name);
      long cp = CheckpointFormat.lsnOf(name);
      boolean obsolete =
          (index >= 0 && index < firstIndex) || (cp >= 0 && cp != l) || name.endsWith(".tmp");
      if (obsolete) {
        storage.delete(p);
        removed++;
      }
    }
    if (removed > 0) {
      storage.syncDirectory(target);
    }
    return removed;
  }

  /** Verifies an existing backup in {@code target} (newest checkpoint there + chain). */
  public BackupReport verifyOnly(Path target) throws SnapshotException {
    List<Long> lsns = new CheckpointStore(storage, target).list();
    return verify(target, lsns.isEmpty() ? 0 : lsns.get(lsns.size() - 1), new int[4]);
  }

  private BackupReport verify(Path target, long l, int[] counts) throws SnapshotException {
    if (l > 0) {
      CheckpointStore copy = new CheckpointStore(storage, target);
      try {
        copy.load(l);
      } catch (SnapshotException e) {
        throw new BackupVerificationException(
            "the checkpoint in backup " + target + " does not verify: " + e.getMessage(), e);
      }
    }
    WalVerification v;
    try {
      v =
          Wal.verify(
              WalConfig.builder(target)
                  .nodeId(wal.nodeId())
                  .storage(storage)
                  .segmentSize(Math.max(64L * 1024, 4L * maxRecordSize))
                  .maxRecordSize(maxRecordSize)
                  .build());
    } catch (WalException e) {
      throw new BackupVerificationException(
          "backup " + target + " is not a valid log: " + e.getMessage(), e);
    }
    if (v.segments().isEmpty()) {
      throw new BackupVerificationException("backup " + target + " holds no segment");
    }
    long first = v.segments().get(0).firstLsn();
    if (first > l + 1 || v.lastLsn() < l) {
      throw new BackupVerificationException(
          "backup "
              + target
              + " does not cover its checkpoint at LSN "
              + l
              + ": segments hold LSNs "
              + first
              + ".."
              + v.lastLsn());
    }
    return new BackupReport(
        target, l, first, v.lastLsn(), counts[0], counts[1], counts[2], counts[3], v.tornTail());
  }

  private void mkdirs(Path target) throws IOException {
    if (!storage.exists(target)) {
      storage.createDirectories(target);
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        storage.syncDirectory(parent);
      }
    }
  }

  private Set<String> names(Path dir) throws IOException {
    Set<String> out = new HashSet<>();
    for (Path p : storage.list(dir)) {
      out.add(p.getFileName().toString());
    }
    return out;
  }

  private static long highestSegment(Set<String> names) {
    long max = -1;
    for (String n : names) {
      max = Math.max(max, SegmentNames.indexOf(n));
    }
    return max;
  }
}
