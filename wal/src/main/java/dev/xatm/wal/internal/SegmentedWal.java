package dev.xatm.wal.internal;

import dev.xatm.wal.Durability;
import dev.xatm.wal.OpenReport;
import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalClosedException;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalPoisonedException;
import dev.xatm.wal.WalStats;
import dev.xatm.wal.WalVerification;
import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link Wal} implementation: wires the directory lock, the open scan, the append queue, the
 * writer thread and the preallocator together, and keeps the list of segments for readers.
 *
 * <p>Threading: appends from any thread go through {@link AppendQueue}; only {@link LogWriter}
 * touches the active file. {@link #segmentsLock} guards the segment list, which the writer changes
 * at rotation and {@link #deleteSegmentsBefore} at deletion.
 */
public final class SegmentedWal implements Wal {

  private static final Logger LOG = System.getLogger("dev.xatm.wal");

  private final WalConfig config;
  private final Storage storage;
  private final Path directory;
  private final String nodeId;
  private final UUID logId;
  private final OpenReport report;
  private final DirectoryLock lock;
  private final HeadFile head;
  private final Preallocator preallocator;
  private final AppendQueue queue;
  private final LogWriter writer;
  private final Thread writerThread;

  private final ReentrantLock segmentsLock = new ReentrantLock();

  /** Serialises deletions; never held together with a wait on {@link #segmentsLock}'s users. */
  private final ReentrantLock deleteLock = new ReentrantLock();

  private final List<SegmentState> sealed = new ArrayList<>(); // guarded by segmentsLock
  private volatile SegmentState active;
  private volatile long durableLsn;
  private final ReentrantLock closeLock = new ReentrantLock();
  private boolean closed; // guarded by closeLock

  /** Made by {@link WalOpening} once the directory is locked, scanned and given a segment. */
  SegmentedWal(
      WalConfig config,
      String nodeId,
      OpenReport report,
      DirectoryLock lock,
      HeadFile head,
      Preallocator preallocator,
      LogScanner.Result scan,
      UUID logId,
      StorageFile activeFile,
      SegmentState activeSegment) {
    this.config = config;
    this.storage = config.storage();
    this.directory = config.directory();
    this.nodeId = nodeId;
    this.logId = logId;
    this.report = report;
    this.lock = lock;
    this.head = head;
    this.preallocator = preallocator;
    this.sealed.addAll(scan.segments);
    this.active = activeSegment;
    this.durableLsn = activeSegment.lastLsn();
    this.queue = new AppendQueue(config.queueMaxRecords(), config.queueMaxBytes(), scan.nextLsn);
    this.writer =
        new LogWriter(
            queue,
            preallocator,
            new LogWriter.Listener() {
              @Override
              public void rotated(SegmentState old, SegmentState now) {
                segmentsLock.lock();
                try {
                  sealed.add(old);
                  active = now;
                } finally {
                  segmentsLock.unlock();
                }
              }

              @Override
              public void written(SegmentState now, long durable) {
                active = now;
                durableLsn = durable;
              }
            },
            config.durability() == Durability.FSYNC,
            config.segmentSize(),
            config.maxRecordSize(),
            nodeId,
            logId,
            config.clock(),
            head,
            lock::verifyHeld,
            activeFile,
            activeSegment);
    this.writerThread = new Thread(writer, "xatm-wal-writer " + directory);
    this.writerThread.setDaemon(true);
  }

  /** See {@link Wal#open(WalConfig)}. */
  public static Wal open(WalConfig config) throws WalException {
    try {
      return WalOpening.open(config);
    } catch (WalException e) {
      throw e;
    } catch (IOException e) {
      throw new WalException(OpenFailure.describe(config, "opening", e), e);
    }
  }

  /**
   * Starts the writer and the next preallocation and, after a damaged-mode open, records the
   * accepted damage durably before anyone else appends.
   */
  void start(long nextIndex, List<String> damage) throws WalException {
    writerThread.start();
    preallocator.prepare(nextIndex + 1);
    if (!damage.isEmpty()) {
      recordDamage(damage);
    }
  }

  /** Records the operator's forced open in the log itself (FORMAT.md, type 240). */
  private void recordDamage(List<String> damage) throws WalException {
    String text = "opened with openDamaged; accepted damage:\n" + String.join("\n", damage);
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > config.maxRecordSize()) {
      bytes = Arrays.copyOf(bytes, config.maxRecordSize());
    }
    Append a = new Append(RecordCodec.TYPE_DAMAGE_ACCEPTED, bytes, true);
    enqueue(a);
    await(a.future);
  }

  @Override
  public CompletableFuture<Long> appendForced(int type, byte[] payload) {
    return append(type, payload, true);
  }

  @Override
  public CompletableFuture<Long> append(int type, byte[] payload) {
    return append(type, payload, false);
  }

  private CompletableFuture<Long> append(int type, byte[] payload, boolean forced) {
    if (type < 1 || type > MAX_USER_TYPE) {
      throw new IllegalArgumentException(
          "record type " + type + " is outside the user range 1.." + MAX_USER_TYPE);
    }
    if (payload.length > config.maxRecordSize()) {
      throw new IllegalArgumentException(
          "record payload of "
              + payload.length
              + " bytes exceeds maxRecordSize "
              + config.maxRecordSize());
    }
    Append a = new Append(type, payload, forced);
    try {
      enqueue(a);
    } catch (WalException e) {
      a.future.completeExceptionally(e);
    }
    return a.future;
  }

  @Override
  public CompletableFuture<Long> sync() {
    long last = queue.lastAssigned();
    if (durableLsn >= last) {
      return CompletableFuture.completedFuture(last);
    }
    Append a = new Append(RecordCodec.TYPE_SYNC, new byte[0], true);
    try {
      enqueue(a);
    } catch (WalException e) {
      a.future.completeExceptionally(e);
    }
    return a.future;
  }

  /** See {@link Wal#verify(WalConfig)}. */
  public static WalVerification verify(WalConfig config) throws WalException {
    return ReadOnlyLog.verify(config);
  }

  /** See {@link Wal#writeHeadOfCopy(WalConfig)}. */
  public static void writeHeadOfCopy(WalConfig config) throws WalException {
    ReadOnlyLog.writeHeadOfCopy(config);
  }

  private void enqueue(Append a) throws WalException {
    try {
      queue.put(a);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the caller decides what the interrupt means
      throw new WalException(
          "interrupted while waiting for room in the WAL queue; the record was not appended", e);
    }
  }

  private static void await(CompletableFuture<Long> f) throws WalException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          f.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof WalException w) {
            throw w;
          }
          throw new WalException("WAL append failed", e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public long durableLsn() {
    return durableLsn;
  }

  @Override
  public long lastLsn() {
    return queue.lastAssigned();
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public UUID logId() {
    return logId;
  }

  @Override
  public WalConfig config() {
    return config;
  }

  @Override
  public OpenReport openReport() {
    return report;
  }

  @Override
  public WalCursor read(long fromLsn) throws WalException {
    List<SegmentState> snapshot;
    segmentsLock.lock();
    try {
      checkOpen();
      snapshot = new ArrayList<>(sealed);
      snapshot.add(active);
    } finally {
      segmentsLock.unlock();
    }
    return new SegmentCursor(storage, snapshot, fromLsn, config.maxRecordSize());
  }

  @Override
  public List<SegmentInfo> segments() {
    segmentsLock.lock();
    try {
      List<SegmentInfo> out = new ArrayList<>(sealed.size() + 1);
      for (SegmentState s : sealed) {
        out.add(new SegmentInfo(s.index(), s.firstLsn(), s.lastLsn(), false));
      }
      SegmentState a = active;
      out.add(new SegmentInfo(a.index(), a.firstLsn(), a.lastLsn(), true));
      return out;
    } finally {
      segmentsLock.unlock();
    }
  }

  @Override
  public WalStats stats() {
    return writer.stats().snapshot();
  }

  /**
   * Deletes outside {@link #segmentsLock}: a delete and a directory fsync can take long on a busy
   * disk, and rotation must publish the new segment under that lock without waiting for GC. The
   * segments lock is held only to pick the next victim and to drop it from the list once its
   * deletion is durable; {@link #deleteLock} keeps concurrent callers oldest-first.
   */
  @Override
  public int deleteSegmentsBefore(long lsn) throws WalException {
    deleteLock.lock();
    try {
      int deleted = 0;
      while (true) {
        SegmentState s;
        segmentsLock.lock();
        try {
          checkOpen();
          if (sealed.isEmpty() || sealed.get(0).lastLsn() >= lsn) {
            return deleted;
          }
          s = sealed.get(0);
        } finally {
          segmentsLock.unlock();
        }
        try {
          storage.delete(s.path());
          storage.syncDirectory(directory); // oldest first, one at a time: no gap after a crash
        } catch (IOException e) {
          throw new WalException(
              "WAL: deleting segment " + s.index() + " (" + s.path() + ") failed", e);
        }
        segmentsLock.lock();
        try {
          sealed.remove(s); // only this method removes, under deleteLock: still the first
        } finally {
          segmentsLock.unlock();
        }
        deleted++;
      }
    } finally {
      deleteLock.unlock();
    }
  }

  private void checkOpen() throws WalClosedException {
    closeLock.lock();
    try {
      if (closed) {
        throw new WalClosedException("WAL " + directory + " is closed");
      }
    } finally {
      closeLock.unlock();
    }
  }

  /**
   * Waits until the background preallocator has finished what it was asked to do (successfully or
   * not). For tests that must observe {@link #preallocationFailures()} without sleeping.
   */
  public void awaitPreallocation() {
    preallocator.awaitIdle();
  }

  /** Background preallocations that failed (each logged at ERROR); the log keeps running. */
  public int preallocationFailures() {
    return preallocator.failures();
  }

  @Override
  public void close() throws WalException {
    closeLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
    } finally {
      closeLock.unlock();
    }
    queue.close(directory.toString());
    boolean interrupted = false;
    while (writerThread.isAlive()) {
      try {
        writerThread.join();
      } catch (InterruptedException e) {
        interrupted = true; // finish closing; the lock must not outlive the writer
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    preallocator.close();
    IOException failure = writer.poison();
    try {
      writer.closeFile();
    } catch (IOException e) {
      failure = e;
    }
    try {
      head.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      }
    }
    try {
      lock.close();
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      }
    }
    if (failure instanceof WalPoisonedException p) {
      throw new WalPoisonedException("WAL " + directory + " closed after being poisoned", p);
    }
    if (failure != null) {
      throw new WalException("WAL " + directory + ": closing failed", failure);
    }
  }
}
