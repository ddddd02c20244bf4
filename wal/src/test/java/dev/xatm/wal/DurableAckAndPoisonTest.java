package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.wal.internal.SegmentedWal;
import dev.xatm.wal.storage.FaultyStorage;
import dev.xatm.wal.storage.FaultyStorage.Op;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Acknowledgement only after the force (BookKeeper's held-fsync test) and fail-stop poisoning
 * (failure rows 16, 23, 24, 25).
 */
class DurableAckAndPoisonTest {

  static final Path DIR = Path.of("/faulty/log");
  static final Path SEG1 = DIR.resolve("00000000000000000001.wal");
  static final Path SEG2 = DIR.resolve("00000000000000000002.wal");

  final FaultyStorage storage = new FaultyStorage();

  WalConfig config() {
    return WalConfig.builder(DIR)
        .nodeId("node-a")
        .segmentSize(64 * 1024)
        .maxRecordSize(4096)
        .storage(storage)
        .build();
  }

  static Throwable failure(CompletableFuture<Long> f) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void forcedAppendCompletesOnlyAfterTheForceReturns() throws Exception {
    try (Wal wal = Wal.open(config())) {
      storage.holdForces(SEG1::equals);
      CompletableFuture<Long> forced = wal.appendForced(1, new byte[] {1, 2, 3});
      assertTrue(storage.awaitForceHeld(10, TimeUnit.SECONDS), "the writer never forced");
      CompletableFuture<Long> rider = wal.append(2, new byte[] {4});
      assertFalse(forced.isDone(), "acknowledged before the force returned");
      assertEquals(0, wal.durableLsn());
      storage.releaseForces();
      assertEquals(1L, forced.get(10, TimeUnit.SECONDS));
      assertEquals(2L, rider.get(10, TimeUnit.SECONDS));
      assertTrue(wal.durableLsn() >= 1);
    }
  }

  @Test
  void failedForcePoisonsEveryWaiterAndEveryLaterAppend() throws Exception {
    Wal wal = Wal.open(config());
    wal.appendForced(1, new byte[] {0}).get();
    storage.holdForces(SEG1::equals);
    CompletableFuture<Long> first = wal.appendForced(1, new byte[] {1});
    assertTrue(storage.awaitForceHeld(10, TimeUnit.SECONDS));
    List<CompletableFuture<Long>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queued.add(i % 2 == 0 ? wal.appendForced(1, new byte[] {2}) : wal.append(1, new byte[] {3}));
    }
    IOException eio = new IOException("EIO (injected)");
    storage.setFault((op, path) -> op == Op.FORCE && path.equals(SEG1) ? eio : null);
    storage.releaseForces();
    Throwable cause = failure(first);
    assertInstanceOf(WalPoisonedException.class, cause);
    assertSame(eio, cause.getCause(), "the cause is the first failure");
    for (CompletableFuture<Long> f : queued) {
      assertInstanceOf(WalPoisonedException.class, failure(f));
    }
    storage.setFault(null); // the disk "recovers": the log must still refuse (no retry)
    Throwable later = failure(wal.appendForced(1, new byte[] {4}));
    assertInstanceOf(WalPoisonedException.class, later);
    assertSame(eio, later.getCause());
    assertEquals(1, wal.durableLsn());
    assertThrows(WalPoisonedException.class, wal::close);
    try (Wal reopened = Wal.open(config())) {
      assertTrue(reopened.lastLsn() >= 1, "the acknowledged record survives");
    }
  }

  @Test
  void enospcOnWritePoisons() throws Exception {
    Wal wal = Wal.open(config());
    wal.appendForced(1, new byte[] {0}).get();
    storage.setFault(
        (op, path) -> op == Op.WRITE && path.equals(SEG1) ? new IOException("ENOSPC") : null);
    Throwable cause = failure(wal.append(1, new byte[10]));
    assertInstanceOf(WalPoisonedException.class, cause);
    assertEquals("ENOSPC", cause.getCause().getMessage());
    storage.setFault(null);
    assertInstanceOf(WalPoisonedException.class, failure(wal.appendForced(1, new byte[1])));
    assertThrows(WalPoisonedException.class, wal::close);
  }

  @Test
  void partialWriteIsNeverCompletedLater() throws Exception {
    Wal wal = Wal.open(config());
    wal.appendForced(1, new byte[] {0}).get();
    storage.setFault(
        (op, path) ->
            op == Op.WRITE && path.equals(SEG1)
                ? new FaultyStorage.PartialWrite(30, "short write")
                : null);
    assertInstanceOf(WalPoisonedException.class, failure(wal.appendForced(1, new byte[100])));
    storage.setFault(null);
    assertInstanceOf(WalPoisonedException.class, failure(wal.appendForced(1, new byte[100])));
    assertThrows(WalPoisonedException.class, wal::close);
    FaultyStorage after = storage.crash(new Random(1));
    try (Wal reopened =
        Wal.open(
            WalConfig.builder(DIR)
                .nodeId("node-a")
                .segmentSize(64 * 1024)
                .maxRecordSize(4096)
                .storage(after)
                .build())) {
      assertEquals(1, reopened.openReport().lastLsn(), "the half record is a torn tail");
    }
  }

  @Test
  void enospcWhilePreallocatingIsReportedAndTheWriterKeepsGoing() throws Exception {
    AtomicBoolean full = new AtomicBoolean(true);
    storage.setFault(
        (op, path) ->
            full.get() && path.equals(SEG2) && (op == Op.CREATE || op == Op.WRITE)
                ? new IOException("ENOSPC (injected)")
                : null);
    try (SegmentedWal wal = (SegmentedWal) Wal.open(config())) {
      // Records that fit in segment 1 are unaffected by the failed preallocation of segment 2.
      for (int i = 0; i < 100; i++) {
        wal.appendForced(1, new byte[100]).get(10, TimeUnit.SECONDS);
      }
      wal.awaitPreallocation();
      assertTrue(wal.preallocationFailures() >= 1, "the failure is reported");
      assertEquals(1, wal.segments().size());
      full.set(false); // space came back: rotation allocates segment 2 itself
      for (int i = 0; i < 1000; i++) {
        wal.append(1, new byte[100]);
      }
      assertEquals(1101L, wal.appendForced(1, new byte[100]).get(10, TimeUnit.SECONDS));
      assertTrue(wal.segments().size() >= 2);
    }
  }

  @Test
  void enospcWhenTheNextSegmentIsTrulyNeededPoisons() throws Exception {
    storage.setFault(
        (op, path) -> path.equals(SEG2) && op == Op.CREATE ? new IOException("ENOSPC") : null);
    Wal wal = Wal.open(config());
    assertEquals(1L, wal.appendForced(1, new byte[100]).get(), "before the rotation");
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      all.add(wal.appendForced(1, new byte[100]));
    }
    Throwable last = failure(all.get(all.size() - 1));
    assertInstanceOf(WalPoisonedException.class, last);
    assertEquals("ENOSPC", last.getCause().getMessage());
    assertThrows(WalPoisonedException.class, wal::close);
  }

  @Test
  void ioErrorDuringTheOpenScanAbortsOpen() throws Exception {
    try (Wal wal = Wal.open(config())) {
      wal.appendForced(1, new byte[100]).get();
    }
    storage.setFault(
        (op, path) -> op == Op.READ && path.equals(SEG1) ? new IOException("EIO on read") : null);
    WalException e = assertThrows(WalException.class, () -> Wal.open(config()));
    assertFalse(e instanceof WalCorruptException, "an I/O error is not corruption: " + e);
    assertEquals("EIO on read", e.getCause().getMessage());
    storage.setFault(null);
    try (Wal wal = Wal.open(config())) {
      assertEquals(1, wal.openReport().lastLsn(), "and the lock was released");
    }
  }

  @Test
  void noFsyncModeNeverForces() throws Exception {
    try (Wal wal =
        Wal.open(
            WalConfig.builder(DIR)
                .nodeId("node-a")
                .segmentSize(64 * 1024)
                .maxRecordSize(4096)
                .storage(storage)
                .durability(Durability.NO_FSYNC_UNSAFE_FOR_TESTS_ONLY)
                .build())) {
      wal.appendForced(1, new byte[10]).get(); // waits for any spare preallocation to settle
      int before = storage.forces(SEG1);
      for (int i = 0; i < 50; i++) {
        wal.appendForced(1, new byte[10]).get();
      }
      assertEquals(before, storage.forces(SEG1), "no force on the append path");
    }
  }
}
