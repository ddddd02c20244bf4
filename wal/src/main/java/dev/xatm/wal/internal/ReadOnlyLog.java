package dev.xatm.wal.internal;

import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalNodeIdMismatchException;
import dev.xatm.wal.WalVerification;
import dev.xatm.wal.storage.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the records of a log that nobody has open (a stopped node's directory, a backup copy): the
 * same scan as {@link SegmentedWal#verify}, then a cursor over the segments it found, each up to
 * the end the scan established. Never takes the lock, never writes, truncates or deletes: a torn
 * tail or a spare segment stays on disk for the next real open to deal with.
 *
 * <p>Threading: stateless; the returned cursor is used by one thread at a time.
 */
public final class ReadOnlyLog {
  private ReadOnlyLog() {}

  public static WalCursor read(WalConfig config, long fromLsn) throws WalException {
    LogScanner.Result scan = scan(config, "reading read-only");
    return new SegmentCursor(
        config.storage(), List.copyOf(scan.segments), fromLsn, config.maxRecordSize());
  }

  /**
   * The open-time scan without the lock, and the node-id check of {@code config}: what {@link
   * SegmentedWal#verify} and {@link #read} both start from.
   */
  static LogScanner.Result scan(WalConfig config, String action) throws WalException {
    LogScanner.Result scan;
    try {
      scan =
          LogScanner.scan(
              config.storage(), config.directory(), config.maxRecordSize(), config.openDamaged());
    } catch (WalException e) {
      throw e;
    } catch (IOException e) {
      throw new WalException(OpenFailure.describe(config, action, e), e);
    }
    if (config.nodeId() != null && scan.nodeId != null && !config.nodeId().equals(scan.nodeId)) {
      throw new WalNodeIdMismatchException(
          "WAL directory "
              + config.directory()
              + " belongs to node id '"
              + scan.nodeId
              + "', expected '"
              + config.nodeId()
              + "'");
    }
    return scan;
  }

  /** See {@link Wal#verify(WalConfig)}. */
  static WalVerification verify(WalConfig config) throws WalException {
    LogScanner.Result scan = scan(config, "verifying");
    List<SegmentInfo> segments = new ArrayList<>(scan.segments.size());
    for (SegmentState s : scan.segments) {
      segments.add(new SegmentInfo(s.index(), s.firstLsn(), s.lastLsn(), false));
    }
    return new WalVerification(
        scan.nodeId, segments, scan.firstLsn, scan.nextLsn - 1, scan.tornTail, scan.damage);
  }

  /** See {@link Wal#writeHeadOfCopy(WalConfig)}. */
  static void writeHeadOfCopy(WalConfig config) throws WalException {
    Storage storage = config.storage();
    Path dir = config.directory();
    try {
      SegmentHeader newest = null;
      for (Path p : storage.list(dir)) {
        long index = SegmentFiles.indexOf(p);
        if (index < 0 || storage.isDirectory(p) || (newest != null && index < newest.index())) {
          continue;
        }
        SegmentHeader h = SegmentHeader.readValid(storage, p);
        if (h != null && h.index() == index) {
          newest = h;
        }
      }
      if (newest == null) {
        throw new WalException(
            "WAL copy " + dir + ": no segment with a valid header; nothing to name in wal.head");
      }
      HeadFile.Head h =
          new HeadFile.Head(0, newest.logId(), newest.index(), newest.firstLsn(), -1, true);
      HeadFile.openOrCreate(storage, dir, java.util.Optional.empty(), h, true).close();
    } catch (IOException e) {
      throw new WalException("WAL copy " + dir + ": writing wal.head failed: " + e, e);
    }
  }
}
