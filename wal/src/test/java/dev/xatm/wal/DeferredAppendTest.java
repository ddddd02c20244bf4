package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Wal#appendDeferred}: a deferred record does not wake the writer; it goes out in the same
 * write as the next record that does, at {@link Wal#flushDeferred()}, when deferred records fill
 * half the queue, or at close. Never lost, never reordered.
 */
class DeferredAppendTest {
  @TempDir Path dir;

  private WalConfig config(int queueMaxRecords) {
    return WalConfig.builder(dir.resolve("log"))
        .nodeId("n1")
        .segmentSize(1 << 20)
        .maxRecordSize(4096)
        .queueMaxRecords(queueMaxRecords)
        .build();
  }

  @Test
  void aDeferredRecordRidesInTheWriteOfTheNextForcedOne() throws Exception {
    try (Wal wal = Wal.open(config(1024))) {
      long batchesBefore = wal.stats().batchRecords().count();
      CompletableFuture<Long> deferred = wal.appendDeferred(5, new byte[] {1});
      // Nothing wakes the writer for it (a bounded look, not a timing assertion on speed).
      assertThrows(TimeoutException.class, () -> deferred.get(300, TimeUnit.MILLISECONDS));
      long forced = wal.appendForced(6, new byte[] {2}).get(10, TimeUnit.SECONDS);
      assertEquals(forced - 1, deferred.get(10, TimeUnit.SECONDS), "LSN order kept");
      WalStats s = wal.stats();
      assertEquals(batchesBefore + 1, s.batchRecords().count(), "one write for both: " + s);
      assertTrue(wal.durableLsn() >= forced);
    }
  }

  @Test
  void flushDeferredWritesThemWithoutAForce() throws Exception {
    try (Wal wal = Wal.open(config(1024))) {
      CompletableFuture<Long> deferred = wal.appendDeferred(5, new byte[] {1});
      wal.flushDeferred();
      assertTrue(deferred.get(10, TimeUnit.SECONDS) > 0, "written without any other append");
      wal.flushDeferred(); // nothing queued: a no-op
    }
  }

  @Test
  void deferredRecordsFillingHalfTheQueueAreWrittenWithoutAnyOtherAppend() throws Exception {
    try (Wal wal = Wal.open(config(16))) {
      List<CompletableFuture<Long>> fs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(wal.appendDeferred(5, new byte[] {(byte) i}));
      }
      for (CompletableFuture<Long> f : fs) {
        f.get(10, TimeUnit.SECONDS); // appenders never block on records nobody writes
      }
    }
  }

  @Test
  void closeWritesAndForcesDeferredRecords() throws Exception {
    long lsn;
    try (Wal wal = Wal.open(config(1024))) {
      wal.appendForced(6, new byte[] {0}).get(10, TimeUnit.SECONDS);
      lsn = wal.lastLsn() + 1;
      CompletableFuture<Long> deferred = wal.appendDeferred(5, new byte[] {42});
      assertFalse(deferred.isDone());
    }
    try (Wal wal = Wal.open(config(1024));
        WalCursor c = wal.read(lsn)) {
      WalRecord r = c.next();
      assertEquals(lsn, r.lsn());
      assertEquals(5, r.type());
      assertEquals(42, r.payload()[0]);
    }
  }

  @Test
  void anOrdinaryAppendAlsoTakesTheDeferredOnesAlong() throws Exception {
    try (Wal wal = Wal.open(config(1024))) {
      CompletableFuture<Long> deferred = wal.appendDeferred(5, new byte[] {1});
      long plain = wal.append(7, new byte[] {2}).get(10, TimeUnit.SECONDS);
      assertEquals(plain - 1, deferred.get(10, TimeUnit.SECONDS));
    }
  }
}
