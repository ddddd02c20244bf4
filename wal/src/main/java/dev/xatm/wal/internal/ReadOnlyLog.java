package dev.xatm.wal.internal;

import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalNodeIdMismatchException;
import java.io.IOException;
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
}
