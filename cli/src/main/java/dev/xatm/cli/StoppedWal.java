package dev.xatm.cli;

import dev.xatm.wal.OpenReport;
import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalClosedException;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalVerification;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A stopped log seen through the {@link Wal} interface, so that the snapshot module's {@code
 * Backup} can copy it without opening it (which would take the lock, start a segment and a new
 * epoch in the source). Built from a read-only {@link Wal#verify} scan; the last segment plays the
 * active one (it is copied, never hard-linked, exactly as for a running log). Appends, syncs and
 * deletions are refused.
 *
 * <p>Threading: immutable.
 */
final class StoppedWal implements Wal {
  private final WalConfig config;
  private final WalVerification scan;
  private final List<SegmentInfo> segments;

  StoppedWal(WalConfig config, WalVerification scan) {
    this.config = config;
    this.scan = scan;
    List<SegmentInfo> s = new ArrayList<>(scan.segments());
    if (!s.isEmpty()) {
      SegmentInfo last = s.remove(s.size() - 1);
      s.add(new SegmentInfo(last.index(), last.firstLsn(), last.lastLsn(), true));
    }
    this.segments = List.copyOf(s);
  }

  private static <T> CompletableFuture<T> refused() {
    return CompletableFuture.failedFuture(
        new WalClosedException("a stopped log is read-only; nothing can be appended"));
  }

  @Override
  public CompletableFuture<Long> appendForced(int type, byte[] payload) {
    return refused();
  }

  @Override
  public CompletableFuture<Long> append(int type, byte[] payload) {
    return refused();
  }

  @Override
  public CompletableFuture<Long> sync() {
    return CompletableFuture.completedFuture(scan.lastLsn()); // nothing is pending
  }

  @Override
  public long durableLsn() {
    return scan.lastLsn();
  }

  @Override
  public long lastLsn() {
    return scan.lastLsn();
  }

  @Override
  public String nodeId() {
    return scan.nodeId();
  }

  /**
   * The settings of the read-only scan. No {@code @Override}: the method joins the {@link Wal}
   * interface with the TM-state work and must already be here then.
   */
  public WalConfig config() {
    return config;
  }

  /**
   * Not known to a read-only scan ({@link WalVerification} does not carry it) and not needed by a
   * backup. No {@code @Override}, as {@link #config()}.
   */
  public java.util.UUID logId() {
    throw new UnsupportedOperationException(
        "the log id of a stopped log is not read by the offline scan");
  }

  @Override
  public OpenReport openReport() {
    return new OpenReport(
        segments.size(), scan.firstLsn(), scan.lastLsn(), scan.tornTail(), scan.damage());
  }

  @Override
  public WalCursor read(long fromLsn) throws WalException {
    return Wal.readOnly(config, fromLsn);
  }

  @Override
  public List<SegmentInfo> segments() {
    return segments;
  }

  @Override
  public int deleteSegmentsBefore(long lsn) throws WalException {
    throw new WalClosedException("a stopped log is read-only; no segment is deleted");
  }

  @Override
  public void close() {
    // Nothing is held.
  }
}
