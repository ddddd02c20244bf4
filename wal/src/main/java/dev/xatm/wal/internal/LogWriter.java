package dev.xatm.wal.internal;

import dev.xatm.wal.WalPoisonedException;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * The single writer thread: it owns the active segment file, and nothing else writes to it.
 *
 * <p>Each round takes everything queued (group commit without a timer, seeds decision 11), frames
 * it into one reused direct buffer, writes it with one call, forces once if any record in the group
 * asked for it, and only then completes the futures (decision 12). A group larger than the buffer
 * (4 MiB or one maximal record) is written in several calls, still with one force. When the next
 * record does not fit, the writer rotates (decision 16): it forces the old segment, takes the
 * preallocated next one, writes and forces its header, and continues there.
 *
 * <p>Fail-stop (decision 13): the first failed write or force poisons the log. The batch in hand
 * and everything queued fail with {@link WalPoisonedException} whose cause is that first failure;
 * the thread then exits. Nothing is retried or rewound.
 *
 * <p>Futures are completed on this thread: callers that chain work on them should use the {@code
 * *Async} variants so they do not stall the log.
 */
final class LogWriter implements Runnable {

  private static final Logger LOG = System.getLogger("dev.xatm.wal");
  private static final int STAGING = 4 << 20;

  /** Chances skipped after a spin that caught nothing; doubles per miss in a row. */
  private static final int SPIN_COOLDOWN_BATCHES = 8;

  private static final int SPIN_MAX_MISSES = 4;
  private static final int MERGE_ROUNDS = 4;

  /** A check before each rotation that this process still owns the directory. */
  @FunctionalInterface
  interface OwnershipCheck {
    void verify() throws IOException;
  }

  /** Receives segment changes, under the owner's segment lock. */
  interface Listener {
    void rotated(SegmentState sealed, SegmentState active);

    void written(SegmentState active, long durableLsn);
  }

  private final AppendQueue queue;
  private final Preallocator preallocator;
  private final Listener listener;
  private final boolean fsync;
  private final long segmentSize;
  private final String nodeId;
  private final UUID logId;
  private final int maxRecordSize;
  private final HeadFile head;
  private final OwnershipCheck ownership;
  private final java.time.Clock clock;
  private final RecordCodec.Encoder encoder = new RecordCodec.Encoder();
  private final ByteBuffer staging;
  private final ByteBuffer[] one = new ByteBuffer[1];

  private StorageFile file;
  private SegmentState segment;
  private long fileEnd; // segment bytes written
  private long writtenLsn;
  private long durableLsn;
  private long pendingForce; // highest written LSN not yet forced (0 = none)
  private final SpinBackoff idleSpin = new SpinBackoff();
  private final SpinBackoff mergeSpin = new SpinBackoff();
  private volatile WalPoisonedException poison;

  LogWriter(
      AppendQueue queue,
      Preallocator preallocator,
      Listener listener,
      boolean fsync,
      long segmentSize,
      int maxRecordSize,
      String nodeId,
      UUID logId,
      java.time.Clock clock,
      HeadFile head,
      OwnershipCheck ownership,
      StorageFile file,
      SegmentState segment) {
    this.queue = queue;
    this.preallocator = preallocator;
    this.listener = listener;
    this.fsync = fsync;
    this.segmentSize = segmentSize;
    this.nodeId = nodeId;
    this.logId = logId;
    this.maxRecordSize = maxRecordSize;
    this.head = head;
    this.ownership = ownership;
    this.clock = clock;
    this.staging = RecordCodec.direct(Math.max(STAGING, RecordCodec.HEADER_SIZE + maxRecordSize));
    this.file = file;
    this.segment = segment;
    this.fileEnd = segment.endOffset();
    this.writtenLsn = segment.lastLsn();
    this.durableLsn = segment.lastLsn();
  }

  /** Writes the header of a fresh segment at offset 0 and forces it (FORMAT.md). */
  static void writeHeader(StorageFile f, SegmentHeader h, boolean fsync) throws IOException {
    f.write(new ByteBuffer[] {h.encode()}, 0);
    if (fsync) {
      f.force(false);
    }
  }

  /** The first failure, once poisoned. */
  WalPoisonedException poison() {
    return poison;
  }

  @Override
  public void run() {
    while (true) {
      boolean spin = spinPays();
      Append batch = queue.takeAll(spin);
      if (batch == null) {
        break;
      }
      if (spin) {
        spun(queue.lastSpinCaught());
      }
      batch = withArriving(batch);
      try {
        write(batch);
      } catch (IOException | RuntimeException e) {
        fail(batch, e);
        return;
      }
      complete(batch);
    }
    try {
      if (pendingForce > 0 && fsync) {
        file.force(false); // close(): make unforced records durable too
        durableLsn = writtenLsn;
        listener.written(segment, durableLsn);
      }
    } catch (IOException e) {
      fail(null, e);
    }
  }

  /**
   * Whether watching the queue before parking is likely to pay: not after recent spins that caught
   * nothing. A single appender waiting on each ack appends again within microseconds; a transaction
   * manager's next record comes only after its thread has been woken and has committed the
   * branches, often later than a spin window.
   */
  private boolean spinPays() {
    return idleSpin.pays();
  }

  private void spun(boolean caught) {
    idleSpin.record(caught);
  }

  /**
   * A batch of unforced records only (2PC's Begin, or End) waits briefly for what follows, usually
   * the next forced record, so that both go out in one write before one force instead of a write
   * each. Bounded by a few spin windows, with its own back-off (a Begin followed by prepares on a
   * real database waits milliseconds for its Committing); an unforced record needs no more than to
   * be written.
   */
  private Append withArriving(Append batch) {
    if (!fsync) {
      return batch;
    }
    Append last = batch;
    for (int round = 0; round < MERGE_ROUNDS && mergeSpin.pays(); round++) {
      boolean forced = false;
      for (Append a = batch; ; a = a.next) {
        forced |= a.forced;
        if (a.next == null) {
          last = a;
          break;
        }
      }
      if (forced) {
        break;
      }
      Append more = queue.takeArriving();
      mergeSpin.record(more != null);
      if (more == null) {
        break;
      }
      last.next = more;
    }
    return batch;
  }

  /**
   * Back-off for one kind of spin: after a spin that caught nothing, skip the next 8 chances,
   * doubling per miss in a row up to 64. Writer thread only.
   */
  private static final class SpinBackoff {
    private int cooldown;
    private int misses;

    boolean pays() {
      if (cooldown > 0) {
        cooldown--;
        return false;
      }
      return true;
    }

    void record(boolean caught) {
      if (caught) {
        misses = 0;
      } else {
        misses = Math.min(misses + 1, SPIN_MAX_MISSES);
        cooldown = SPIN_COOLDOWN_BATCHES << (misses - 1);
      }
    }
  }

  private void write(Append batch) throws IOException {
    boolean force = false;
    staging.clear();
    for (Append a = batch; a != null; a = a.next) {
      int size = a.size();
      if (fileEnd + staging.position() + size > segmentSize) {
        flush();
        rotate(a.lsn);
      } else if (staging.remaining() < size) {
        flush();
      }
      encoder.encode(staging, a.lsn, a.type, a.payload);
      writtenLsn = a.lsn;
      force |= a.forced;
    }
    flush();
    pendingForce = writtenLsn;
    if (force || !fsync) {
      if (fsync) {
        file.force(false);
      }
      durableLsn = writtenLsn;
      pendingForce = 0;
    }
    listener.written(segment, durableLsn);
  }

  private void flush() throws IOException {
    if (staging.position() == 0) {
      return;
    }
    staging.flip();
    int n = staging.remaining();
    one[0] = staging;
    file.write(one, fileEnd);
    fileEnd += n;
    segment = segment.withEnd(writtenLsn, fileEnd);
    staging.clear();
  }

  private void rotate(long nextLsn) throws IOException {
    if (fsync) {
      file.force(false); // seal: everything in the old segment is durable before the switch
    }
    durableLsn = writtenLsn;
    ownership.verify(); // fails the rotation (poisons the log) if wal.lock was removed
    long nextIndex = segment.index() + 1;
    StorageFile next = preallocator.take(nextIndex);
    SegmentHeader h =
        new SegmentHeader(
            nextIndex,
            nextLsn,
            clock.millis(),
            logId,
            (int) segmentSize,
            nodeId,
            false,
            maxRecordSize);
    try {
      writeHeader(next, h, fsync);
      // The head names the new segment before its first record (FORMAT.md, "Head file"): one
      // more forced write per rotation, so a lost newest segment is never read as a short log.
      head.update(nextIndex, nextLsn, -1);
    } catch (IOException e) {
      next.close();
      throw e;
    }
    SegmentState sealed = segment;
    file.close();
    file = next;
    fileEnd = SegmentHeader.SIZE;
    segment =
        new SegmentState(
            nextIndex,
            SegmentFiles.path(sealed.path().getParent(), nextIndex),
            nextLsn,
            nextLsn - 1,
            fileEnd,
            false,
            maxRecordSize);
    listener.rotated(sealed, segment);
    preallocator.prepare(nextIndex + 1);
  }

  private void complete(Append batch) {
    for (Append a = batch; a != null; ) {
      Append next = a.next;
      a.next = null;
      a.future.complete(a.lsn);
      a = next;
    }
  }

  private void fail(Append batch, Throwable e) {
    WalPoisonedException p =
        new WalPoisonedException(
            "WAL poisoned by a failed write or force on segment "
                + segment.index()
                + " at offset "
                + fileEnd
                + " (last written LSN "
                + writtenLsn
                + ", durable LSN "
                + durableLsn
                + "); every pending and later append fails; reopen the log to recover",
            e);
    poison = p;
    LOG.log(Level.ERROR, p.getMessage(), e);
    Append queued = queue.poison(p);
    for (Append chain : new Append[] {batch, queued}) {
      for (Append a = chain; a != null; a = a.next) {
        a.future.completeExceptionally(p);
      }
    }
    try {
      file.close();
    } catch (IOException closeFailure) {
      p.addSuppressed(closeFailure);
    }
  }

  /**
   * Closes the active file after the thread has ended and, unless poisoned, records in the head
   * file that the log was closed cleanly at its last LSN (durable only with fsync, so a log run
   * without fsync never claims a clean end a power loss could contradict).
   */
  void closeFile() throws IOException {
    if (poison == null) {
      file.close();
      try {
        head.update(segment.index(), segment.firstLsn(), fsync ? writtenLsn : -1);
      } catch (IOException e) {
        // Every record is durable already; only the clean-close mark (extra detection at the next
        // open) is missing, which is what a crash leaves too. Not a failed close.
        LOG.log(
            Level.WARNING,
            "WAL: could not record the clean close in " + HeadFile.NAME + " (" + e + ")",
            e);
      }
    }
  }
}
