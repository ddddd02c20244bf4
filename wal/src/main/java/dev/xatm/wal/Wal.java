package dev.xatm.wal;

import java.util.concurrent.CompletableFuture;

/**
 * A segmented, checksummed, group-committed write-ahead log of opaque typed records.
 *
 * <p>Open one with {@link #open(WalConfig)}. Records are appended with a type (1..{@value
 * #MAX_USER_TYPE}) and an opaque payload, and receive contiguous log sequence numbers (LSNs)
 * starting at 1.
 *
 * <pre>{@code
 * try (Wal wal = Wal.open(WalConfig.builder(Path.of("xatm-log")).nodeId("node-a").build())) {
 *   long lsn = wal.appendForced(16, payload).join(); // returns after the fsync covering it
 *   wal.append(17, otherPayload);                     // rides on the next fsync
 *   try (WalCursor cursor = wal.read(1)) {
 *     for (WalRecord r = cursor.next(); r != null; r = cursor.next()) { ... }
 *   }
 * }
 * }</pre>
 *
 * <p>Threading: every method is safe to call from any thread. A single writer thread owns the
 * active segment; appenders hand records over through a bounded queue and block when it is full.
 *
 * <p>Failure: the first failed write or force poisons the log. Every pending and later append fails
 * with {@link WalPoisonedException}; nothing is retried. Only a new {@link #open} (normally in a
 * new process) decides what is on disk.
 */
public interface Wal extends AutoCloseable {

  /** The largest record type an application may use; higher types are reserved by the log. */
  int MAX_USER_TYPE = 239;

  /**
   * Opens (creating if absent) the log in {@link WalConfig#directory()}: takes the directory lock,
   * scans and verifies every segment, and starts the writer on a fresh segment.
   *
   * @param config the directory, node id, sizes and storage of the log
   * @return the open log; the caller closes it
   * @throws WalLockedException another process or instance holds the directory
   * @throws WalCorruptException the log is damaged beyond a torn tail (unless the config allows
   *     opening a damaged log)
   * @throws WalNodeIdMismatchException the directory belongs to another node
   * @throws WalSettingException the log was written with a setting the config contradicts (a
   *     format-1 log with records longer than {@code maxRecordSize}); nothing is damaged
   */
  static Wal open(WalConfig config) throws WalException {
    return dev.xatm.wal.internal.SegmentedWal.open(config);
  }

  /**
   * Appends a record and returns a future that completes with its LSN only after an fsync covering
   * the record has returned. It completes exceptionally with {@link WalPoisonedException} or {@link
   * WalClosedException} when that cannot happen.
   *
   * @param type the record type, 1..{@value #MAX_USER_TYPE}
   * @param payload the record's bytes, at most {@link WalConfig#maxRecordSize()}; the log keeps a
   *     reference until the record is written, so the caller must not change the array meanwhile
   * @return the record's LSN, once it is durable
   * @throws IllegalArgumentException the type is outside 1..{@value #MAX_USER_TYPE} or the payload
   *     is longer than {@link WalConfig#maxRecordSize()}
   */
  CompletableFuture<Long> appendForced(int type, byte[] payload);

  /**
   * Appends a record that needs no fsync of its own: it becomes durable with the next forced append
   * or at {@link #close()}. The future completes with its LSN once it is written to the file (not
   * necessarily durable).
   *
   * @param type the record type, 1..{@value #MAX_USER_TYPE}
   * @param payload the record's bytes, as for {@link #appendForced}
   * @return the record's LSN, once it is written (not necessarily durable)
   * @throws IllegalArgumentException as for {@link #appendForced}
   */
  CompletableFuture<Long> append(int type, byte[] payload);

  /**
   * Forces every record appended before this call, including unforced ones. The future completes
   * with an LSN at least as high as {@link #lastLsn()} at the call, once {@link #durableLsn()}
   * covers it, or exceptionally when the log is poisoned or closed. When nothing is pending it
   * completes at once; otherwise it appends an empty reserved record (type 241, {@code SYNC},
   * FORMAT.md) with a forced write, so it consumes one LSN that cursors never return.
   *
   * @return an LSN that is durable and covers every append made before the call
   */
  CompletableFuture<Long> sync();

  /**
   * Scans the log in {@code config.directory()} read-only, by the same rules as {@link #open} (torn
   * tail at the end of the last segment only, gap-free chain, one node id, which must equal {@code
   * config.nodeId()} when set), without taking the lock and without writing or deleting anything.
   * For verifying a backup copy. A copy of a format-2 log needs its {@code wal.head} (see {@link
   * #writeHeadOfCopy}); without it the copy is refused as {@link #open} would refuse it.
   *
   * @param config the directory to scan, and the node id it must belong to when set
   * @return the segments, the LSN range, the torn tail and any damage accepted
   * @throws WalCorruptException the chain is damaged beyond a torn tail
   * @throws WalNodeIdMismatchException the segments belong to another node
   */
  static WalVerification verify(WalConfig config) throws WalException {
    return dev.xatm.wal.internal.SegmentedWal.verify(config);
  }

  /**
   * Writes the head file ({@code wal.head}, FORMAT.md) of a copy of a log made of its segment files
   * (a backup), naming the newest segment in {@code config.directory()}, so that a restore of the
   * copy opens strictly, with the end-of-log checks, as the original would. Replaces a head file
   * already there (atomically: a temporary file, forced, renamed, directory fsynced). Never call it
   * on the directory of a running log.
   *
   * @param config the directory of the copy and the storage to write it with
   * @throws WalException the directory holds no segment with a valid header, or an I/O error
   */
  static void writeHeadOfCopy(WalConfig config) throws WalException {
    dev.xatm.wal.internal.SegmentedWal.writeHeadOfCopy(config);
  }

  /**
   * Reads the records with {@code lsn >= fromLsn} of a log that is not open (a stopped node's
   * directory, a backup copy), after the same read-only scan as {@link #verify}: without the lock,
   * without writing or deleting anything. With {@link WalConfig#openDamaged()} the cursor reads
   * across damage the scan accepted, as an operator's inspection; otherwise damage beyond a torn
   * tail fails here with {@link WalCorruptException}. The caller must make sure no process writes
   * the directory meanwhile (the cursor reads each segment up to the end the scan found).
   *
   * @param config the directory to read, and whether to read across damage
   * @param fromLsn the lowest LSN to return
   * @return a cursor over the records; the caller closes it
   * @throws WalException the scan fails as {@link #verify} would, or an I/O error
   */
  static WalCursor readOnly(WalConfig config, long fromLsn) throws WalException {
    return dev.xatm.wal.internal.ReadOnlyLog.read(config, fromLsn);
  }

  /** {@return the highest LSN known durable on disk (0 when none)} */
  long durableLsn();

  /** {@return the highest LSN assigned so far (0 when the log is empty)} */
  long lastLsn();

  /**
   * {@return the node id stored in the segment headers (configured, or adopted from the directory)}
   */
  String nodeId();

  /**
   * {@return the log's identity} It is the random UUID made when the directory was created, stored
   * in every segment header (wal/FORMAT.md), so a copy restored elsewhere keeps it.
   */
  java.util.UUID logId();

  /** {@return the configuration the log was opened with (directory, storage, sizes)} */
  WalConfig config();

  /** {@return what the open-time scan found: segments, LSN range, torn tail, damage accepted} */
  OpenReport openReport();

  /**
   * Reads records with {@code lsn >= fromLsn} that were written before this call, in LSN order,
   * across segments. The cursor must be closed.
   *
   * @param fromLsn the lowest LSN to return
   * @return a cursor over the records; the caller closes it
   * @throws WalException the log is closed
   */
  WalCursor read(long fromLsn) throws WalException;

  /**
   * {@return the segments on disk in index order, the active one last} For log lifetime management
   * (a snapshot or checkpoint module decides what is no longer needed).
   */
  java.util.List<SegmentInfo> segments();

  /**
   * {@return what the writer measured since open: fsync latency, records per batch, queue wait} See
   * docs/operations.md, "Metrics". Cheap; any thread. The default returns {@link WalStats#EMPTY},
   * for implementations that measure nothing.
   */
  default WalStats stats() {
    return WalStats.EMPTY;
  }

  /**
   * Deletes every sealed segment whose records all have an LSN below {@code lsn}, oldest first,
   * fsyncing the directory after each deletion so a crash never leaves a gap. The active segment is
   * never deleted. Appends and rotation do not wait for the deletions.
   *
   * @param lsn the lowest LSN that must stay readable
   * @return how many segments were deleted
   * @throws WalException a deletion or directory fsync failed, or the log is closed
   */
  int deleteSegmentsBefore(long lsn) throws WalException;

  /** Stops accepting appends, writes and forces everything queued, and releases the lock. */
  @Override
  void close() throws WalException;
}
