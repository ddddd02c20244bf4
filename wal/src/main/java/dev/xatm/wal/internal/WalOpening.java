package dev.xatm.wal.internal;

import dev.xatm.wal.Durability;
import dev.xatm.wal.NodeIds;
import dev.xatm.wal.OpenReport;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalNodeIdMismatchException;
import dev.xatm.wal.storage.PrivateFiles;
import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * The open sequence of a {@link SegmentedWal} (FORMAT.md, "Opening"): the directory made or
 * checked, its lock taken, the segments scanned (refusing every damage but a torn last write, or
 * accepting it in damaged mode), the node id resolved, trailing files discarded, the head file
 * brought up to date, and a new segment given a header before the log takes appends. Whatever fails
 * releases what was taken.
 */
final class WalOpening {
  private static final Logger LOG = System.getLogger("dev.xatm.wal");

  private WalOpening() {}

  /** Opens the log in {@code config.directory()}; see {@link Wal#open(WalConfig)}. */
  static Wal open(WalConfig config) throws IOException {
    Storage storage = config.storage();
    Path dir = config.directory();
    if (storage.exists(dir) && !storage.isDirectory(dir)) {
      throw new WalException(
          "WAL directory " + dir + " exists but is not a directory; point the log at a directory");
    }
    if (!storage.exists(dir)) {
      storage.createDirectories(dir);
      if (dir.toAbsolutePath().getParent() != null) {
        storage.syncDirectory(dir.toAbsolutePath().getParent());
      }
    } else {
      warnIfOpenToOthers(storage, dir);
    }
    DirectoryLock lock =
        DirectoryLock.acquire(storage, dir, config.nodeId(), config.clock().instant());
    Preallocator preallocator = null;
    HeadFile head = null;
    try {
      if (config.durability() != Durability.FSYNC) {
        LOG.log(
            Level.WARNING,
            "WAL {0} opened with {1}: acknowledged records are NOT durable and a power loss or"
                + " kernel crash loses them. Never use this outside tests and benchmarks.",
            dir,
            config.durability());
      }
      LogScanner.Result scan =
          LogScanner.scan(storage, dir, config.maxRecordSize(), config.openDamaged());
      String nodeId = resolveNodeId(config, scan);
      lock.describe(nodeId);
      for (Path p : scan.discard) {
        storage.delete(p);
        storage.syncDirectory(dir);
      }
      UUID logId = scan.logId != null ? scan.logId : UUID.randomUUID();
      boolean damaged = !scan.damage.isEmpty();
      boolean fsync = config.durability() == Durability.FSYNC;
      // Before the new segment gets a header: a log without a head file names what the scan
      // found, so a crash between the two never leaves a format-2 segment the head does not know.
      SegmentState newest =
          scan.segments.isEmpty() ? null : scan.segments.get(scan.segments.size() - 1);
      head =
          HeadFile.openOrCreate(
              storage,
              dir,
              scan.head,
              new HeadFile.Head(
                  0,
                  logId,
                  newest == null ? 0 : newest.index(),
                  newest == null ? 1 : newest.firstLsn(),
                  -1,
                  false),
              fsync);
      preallocator = new Preallocator(storage, dir, config.segmentSize());
      StorageFile file = preallocator.allocate(scan.nextIndex);
      SegmentState segment;
      try {
        SegmentHeader header =
            new SegmentHeader(
                scan.nextIndex,
                scan.nextLsn,
                config.clock().millis(),
                logId,
                (int) config.segmentSize(),
                nodeId,
                damaged,
                config.maxRecordSize());
        LogWriter.writeHeader(file, header, fsync);
        head.update(scan.nextIndex, scan.nextLsn, -1);
        segment =
            new SegmentState(
                scan.nextIndex,
                SegmentFiles.path(dir, scan.nextIndex),
                scan.nextLsn,
                scan.nextLsn - 1,
                SegmentHeader.SIZE,
                false,
                config.maxRecordSize());
      } catch (IOException | RuntimeException e) {
        file.close();
        throw e;
      }
      OpenReport report =
          new OpenReport(
              scan.segments.size(), scan.firstLsn, scan.nextLsn - 1, scan.tornTail, scan.damage);
      SegmentedWal wal =
          new SegmentedWal(
              config, nodeId, report, lock, head, preallocator, scan, logId, file, segment);
      wal.start(scan.nextIndex, scan.damage);
      return wal;
    } catch (IOException | RuntimeException e) {
      if (preallocator != null) {
        preallocator.close();
      }
      if (head != null) {
        try {
          head.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      lock.close();
      throw e;
    }
  }

  /**
   * An existing directory that group or other users can enter lets them read records (user names,
   * URLs, amounts) or, if writable, forge one that only a CRC protects. Reported once per open, not
   * refused: the operator may have reasons (a shared backup user), and the fix is one command.
   */
  private static void warnIfOpenToOthers(Storage storage, Path dir) throws IOException {
    var mode = storage.openToOthers(dir);
    if (mode.isPresent()) {
      LOG.log(
          Level.WARNING,
          "WAL directory {0} has mode {1} ({2}): other users can read its records, which hold user"
              + " names, URLs and amounts; xatm creates its files owner-only, make the directory"
              + " private too: chmod 700 {0}",
          dir,
          PrivateFiles.octal(mode.get()),
          PosixFilePermissions.toString(mode.get()));
    }
  }

  private static String resolveNodeId(WalConfig config, LogScanner.Result scan)
      throws WalNodeIdMismatchException {
    String configured = config.nodeId();
    if (configured != null && scan.nodeId != null && !configured.equals(scan.nodeId)) {
      throw new WalNodeIdMismatchException(
          "WAL directory "
              + config.directory()
              + " belongs to node id '"
              + scan.nodeId
              + "' but this log is configured with node id '"
              + configured
              + "'; a node must never recover another node's log");
    }
    if (configured != null) {
      return configured;
    }
    if (scan.nodeId != null) {
      return scan.nodeId;
    }
    String generated = "wal-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    NodeIds.validate(generated);
    LOG.log(
        Level.WARNING,
        "WAL {0}: no node id configured and none in the directory; generated ''{1}'' and stored"
            + " it in the segment header. Configure it explicitly: Xids embed it.",
        config.directory(),
        generated);
    return generated;
  }
}
