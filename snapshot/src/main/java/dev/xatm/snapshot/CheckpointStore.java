package dev.xatm.snapshot;

import dev.xatm.snapshot.internal.CheckpointFormat;
import dev.xatm.snapshot.internal.FileOps;
import dev.xatm.wal.storage.Storage;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The checkpoint files of one log directory (snapshot/FORMAT.md): writes them atomically, lists
 * them, loads the newest one that verifies (falling back to older ones with a WARNING naming the
 * file and the reason), and keeps only the newest few.
 *
 * <p>Threading: {@link #write} and {@link #retainNewest} are called by one checkpointer at a time;
 * {@link #list} and the loads may run concurrently with them (a file that disappears while being
 * read is reported as such).
 */
public final class CheckpointStore {
  private static final System.Logger LOG = System.getLogger(CheckpointStore.class.getName());

  private final Storage storage;
  private final Path directory;

  /**
   * Creates a view of the checkpoint files in {@code directory}; touches no file.
   *
   * @param storage the file operations to use (the log's, or a fake in tests)
   * @param directory the log directory that holds the checkpoint files
   */
  public CheckpointStore(Storage storage, Path directory) {
    this.storage = storage;
    this.directory = directory;
  }

  /** {@return the directory that holds the checkpoint files} */
  public Path directory() {
    return directory;
  }

  /** {@return the file operations this store uses} */
  public Storage storage() {
    return storage;
  }

  /**
   * {@return the path of the checkpoint file at {@code lsn}, whether or not it exists}
   *
   * @param lsn L of the checkpoint
   */
  public Path path(long lsn) {
    return directory.resolve(CheckpointFormat.fileName(lsn));
  }

  /**
   * Writes the checkpoint at {@code lsn} durably: temp file, force, atomic rename, directory fsync.
   * The caller guarantees that every record with LSN &le; {@code lsn} is durable in the log.
   *
   * @param lsn L: the state covers exactly the records with LSN &le; L
   * @param nodeId the node id of the log, 1 to 32 ASCII bytes
   * @param epoch the owner's epoch
   * @param payload the serialized state, at most 256 MiB
   * @return the path of the checkpoint file written
   * @throws SnapshotException a file operation failed; the checkpoint's name never shows a partly
   *     written file, but the checkpoint is not known to be durable
   * @throws IllegalArgumentException the node id, the payload size, the LSN or the epoch is out of
   *     range
   */
  public Path write(long lsn, String nodeId, long epoch, byte[] payload) throws SnapshotException {
    Path target = path(lsn);
    Path temp = directory.resolve(CheckpointFormat.fileName(lsn) + ".tmp");
    try {
      FileOps.writeAtomically(
          storage, target, temp, CheckpointFormat.encode(lsn, nodeId, epoch, payload));
      return target;
    } catch (IOException e) {
      throw new SnapshotException("writing checkpoint " + target + " failed: " + e, e);
    }
  }

  /**
   * {@return the LSNs of the checkpoint files present, ascending (not verified)}
   *
   * @throws SnapshotException the directory cannot be listed
   */
  public List<Long> list() throws SnapshotException {
    List<Long> out = new ArrayList<>();
    try {
      for (Path p : storage.list(directory)) {
        long lsn = CheckpointFormat.lsnOf(p.getFileName().toString());
        if (lsn >= 0) {
          out.add(lsn);
        }
      }
    } catch (IOException e) {
      throw new SnapshotException("listing checkpoints in " + directory + " failed: " + e, e);
    }
    Collections.sort(out);
    return out;
  }

  /**
   * Reads and verifies one checkpoint file.
   *
   * @param lsn L of the checkpoint
   * @return the checkpoint, verified
   * @throws CheckpointCorruptException it does not verify
   * @throws SnapshotException it cannot be read (an I/O error is never read as "corrupt")
   */
  public Checkpoint load(long lsn) throws SnapshotException {
    return load(path(lsn));
  }

  private Checkpoint load(Path file) throws SnapshotException {
    byte[] image;
    try {
      image =
          FileOps.readAll(
              storage,
              file,
              (long) CheckpointFormat.MAX_PAYLOAD
                  + CheckpointFormat.HEADER_SIZE
                  + CheckpointFormat.TRAILER_SIZE);
    } catch (SnapshotException e) {
      throw new CheckpointCorruptException(file, 0, e.getMessage());
    } catch (IOException e) {
      throw new SnapshotException("reading checkpoint " + file + " failed: " + e, e);
    }
    return CheckpointFormat.decode(file, image);
  }

  /**
   * The newest checkpoint with {@code L <= maxLsn} that verifies. Newer ones that do not verify are
   * skipped with a WARNING naming the file and the reason (a torn newest checkpoint falls back to
   * the previous one; the caller then replays from its L + 1).
   *
   * @param maxLsn the last LSN of the log; newer checkpoints are skipped with a WARNING
   * @return the checkpoint, or empty when none qualifies
   * @throws SnapshotException the directory or a file cannot be read (not: a file does not verify)
   */
  public Optional<Checkpoint> loadNewest(long maxLsn) throws SnapshotException {
    List<Long> lsns = list();
    for (int i = lsns.size() - 1; i >= 0; i--) {
      long lsn = lsns.get(i);
      if (lsn > maxLsn) {
        LOG.log(
            Level.WARNING,
            "checkpoint {0} is at LSN {1} but the log ends at LSN {2}; it is not used",
            path(lsn),
            lsn,
            maxLsn);
        continue;
      }
      try {
        return Optional.of(load(lsn));
      } catch (CheckpointCorruptException e) {
        LOG.log(
            Level.WARNING,
            "checkpoint {0} does not verify ({1}); falling back to the previous checkpoint",
            e.file(),
            e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** Suffix of a checkpoint set aside as beyond the end of the log, damage not yet accepted. */
  static final String PENDING_SUFFIX = ".beyond-end.pending";

  /** Suffix of a checkpoint set aside as beyond the end of the log, damage accepted. */
  static final String ACCEPTED_SUFFIX = ".beyond-end";

  /**
   * Renames the checkpoint at {@code lsn} so that it is no longer listed or loaded, durably, before
   * anything is appended to the log (later records must never fall behind it): {@code
   * .ckpt.beyond-end.pending} until the start that set it aside has made the damage durable in its
   * log ({@link #acceptSetAside}); a strict start refuses while one is pending.
   *
   * @param lsn L of the checkpoint to set aside
   * @return the new path, {@link #pendingPath pendingPath(lsn)}
   * @throws SnapshotException the rename or the directory fsync failed
   */
  public Path setAside(long lsn) throws SnapshotException {
    return rename(path(lsn), pendingPath(lsn), "setting aside");
  }

  /**
   * Records that the damage a set-aside checkpoint proves is durable in the log: renames it from
   * {@code .ckpt.beyond-end.pending} to {@code .ckpt.beyond-end}, durably.
   *
   * @param lsn L of the checkpoint set aside
   * @return the new path
   * @throws SnapshotException the rename or the directory fsync failed
   */
  public Path acceptSetAside(long lsn) throws SnapshotException {
    return rename(
        pendingPath(lsn),
        directory.resolve(CheckpointFormat.fileName(lsn) + ACCEPTED_SUFFIX),
        "accepting");
  }

  /**
   * {@return the LSNs of the checkpoints set aside whose damage is not accepted yet, ascending}
   *
   * @throws SnapshotException the directory cannot be listed
   */
  public List<Long> listPendingSetAside() throws SnapshotException {
    List<Long> out = new ArrayList<>();
    try {
      for (Path p : storage.list(directory)) {
        String name = p.getFileName().toString();
        if (name.endsWith(PENDING_SUFFIX)) {
          long lsn =
              CheckpointFormat.lsnOf(name.substring(0, name.length() - PENDING_SUFFIX.length()));
          if (lsn >= 0) {
            out.add(lsn);
          }
        }
      }
    } catch (IOException e) {
      throw new SnapshotException("listing checkpoints in " + directory + " failed: " + e, e);
    }
    Collections.sort(out);
    return out;
  }

  /**
   * Reads and verifies a checkpoint set aside and pending (see {@link #setAside}).
   *
   * @param lsn L of the checkpoint set aside
   * @return the checkpoint, verified, with its pending path as its file
   * @throws CheckpointCorruptException it does not verify
   * @throws SnapshotException it cannot be read
   */
  public Checkpoint loadPendingSetAside(long lsn) throws SnapshotException {
    return load(pendingPath(lsn));
  }

  /**
   * {@return the path the checkpoint at {@code lsn} has while set aside and pending}
   *
   * @param lsn L of the checkpoint
   */
  public Path pendingPath(long lsn) {
    return directory.resolve(CheckpointFormat.fileName(lsn) + PENDING_SUFFIX);
  }

  private Path rename(Path from, Path to, String what) throws SnapshotException {
    try {
      storage.rename(from, to);
      storage.syncDirectory(directory);
      return to;
    } catch (IOException e) {
      throw new SnapshotException(what + " checkpoint " + from + " failed: " + e, e);
    }
  }

  /**
   * Deletes every checkpoint file except the {@code keep} newest, oldest first, and leftover temp
   * files, then fsyncs the directory.
   *
   * @param keep how many of the newest checkpoint files to keep
   * @return the LSNs kept, ascending
   * @throws SnapshotException a file operation failed; some files may already be deleted
   */
  public List<Long> retainNewest(int keep) throws SnapshotException {
    List<Long> lsns = list();
    try {
      boolean changed = false;
      for (Path p : storage.list(directory)) {
        if (CheckpointFormat.isTemp(p.getFileName().toString())) {
          storage.delete(p);
          changed = true;
        }
      }
      for (int i = 0; i < lsns.size() - keep; i++) {
        storage.delete(path(lsns.get(i)));
        changed = true;
      }
      if (changed) {
        storage.syncDirectory(directory);
      }
    } catch (IOException e) {
      throw new SnapshotException("deleting old checkpoints in " + directory + " failed: " + e, e);
    }
    return List.copyOf(lsns.subList(Math.max(0, lsns.size() - keep), lsns.size()));
  }
}
