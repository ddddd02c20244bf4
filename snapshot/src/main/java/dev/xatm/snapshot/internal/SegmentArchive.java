package dev.xatm.snapshot.internal;

import dev.xatm.snapshot.SnapshotException;
import dev.xatm.wal.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The optional archive directory: a sealed segment is copied here (temp, force, rename, directory
 * fsync) before GC deletes it from the log directory, and the oldest archived segments are deleted
 * while the archive is larger than its limit.
 *
 * <p>Threading: used by one GC at a time (the checkpointer).
 */
public final class SegmentArchive {
  private final Storage storage;
  private final Path directory;
  private final long maxBytes;

  /**
   * @param maxBytes size limit of the archive; 0 for none
   */
  public SegmentArchive(Storage storage, Path directory, long maxBytes) {
    this.storage = storage;
    this.directory = directory;
    this.maxBytes = maxBytes;
  }

  public Path directory() {
    return directory;
  }

  /** Copies a sealed segment here durably; a copy already present (same name) is kept. */
  public void archive(Path segment) throws SnapshotException {
    Path target = directory.resolve(segment.getFileName());
    try {
      if (!storage.exists(directory)) {
        storage.createDirectories(directory);
      }
      if (storage.exists(target)
          && FileOps.size(storage, target) == FileOps.size(storage, segment)) {
        return; // archived before a crash interrupted the GC that followed
      }
      FileOps.copy(storage, segment, target, directory.resolve(segment.getFileName() + ".tmp"));
      storage.syncDirectory(directory);
    } catch (IOException e) {
      throw new SnapshotException(
          "archiving " + segment + " to " + target + " failed; it is not deleted: " + e, e);
    }
  }

  /** Deletes the oldest archived segments (and leftover temps) until the limit holds. */
  public void enforceLimit() throws SnapshotException {
    try {
      if (!storage.exists(directory)) {
        return;
      }
      TreeMap<String, Long> files = new TreeMap<>();
      List<Path> temps = new ArrayList<>();
      long total = 0;
      for (Path p : storage.list(directory)) {
        String name = p.getFileName().toString();
        if (name.endsWith(".wal.tmp")) {
          temps.add(p);
        } else if (name.endsWith(".wal")) {
          long size = FileOps.size(storage, p);
          files.put(name, size);
          total += size;
        }
      }
      boolean changed = !temps.isEmpty();
      for (Path t : temps) {
        storage.delete(t);
      }
      while (maxBytes > 0 && total > maxBytes && !files.isEmpty()) {
        var oldest = files.pollFirstEntry();
        storage.delete(directory.resolve(oldest.getKey()));
        total -= oldest.getValue();
        changed = true;
      }
      if (changed) {
        storage.syncDirectory(directory);
      }
    } catch (IOException e) {
      throw new SnapshotException("trimming the archive " + directory + " failed: " + e, e);
    }
  }

  /** Total bytes of archived segments. */
  public long size() throws SnapshotException {
    try {
      if (!storage.exists(directory)) {
        return 0;
      }
      long total = 0;
      for (Path p : storage.list(directory)) {
        if (p.getFileName().toString().endsWith(".wal")) {
          total += FileOps.size(storage, p);
        }
      }
      return total;
    } catch (IOException e) {
      throw new SnapshotException("sizing the archive " + directory + " failed: " + e, e);
    }
  }
}
