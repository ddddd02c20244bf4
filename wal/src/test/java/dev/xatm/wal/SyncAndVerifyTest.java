package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.wal.storage.FaultyStorage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Wal#sync()} forces unforced appends; {@link Wal#verify} scans without writing. */
class SyncAndVerifyTest {
  private static final Path DIR = Path.of("/log");

  private static WalConfig config(FaultyStorage storage) {
    return WalConfig.builder(DIR)
        .nodeId("node-a")
        .segmentSize(64 * 1024)
        .maxRecordSize(4096)
        .storage(storage)
        .build();
  }

  @Test
  void syncMakesUnforcedRecordsDurableAndSurvivesACrash() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    Wal wal = Wal.open(config(storage));
    for (int i = 0; i < 10; i++) {
      wal.append(5, new byte[] {(byte) i}).get();
    }
    assertEquals(10, wal.lastLsn());
    assertTrue(wal.durableLsn() < 10, "nothing forced yet: " + wal.durableLsn());
    storage.holdForces();
    CompletableFuture<Long> sync = wal.sync();
    assertTrue(storage.awaitForceHeld(10, TimeUnit.SECONDS));
    assertFalse(sync.isDone(), "sync completed before its force returned");
    storage.releaseForces();
    long lsn = sync.get();
    assertTrue(lsn >= 10 && wal.durableLsn() >= 10, "sync " + lsn + " durable " + wal.durableLsn());
    assertEquals(lsn, wal.sync().get(), "nothing pending: no new record");
    FaultyStorage after = storage.crash(new Random(1));
    try (Wal reopened = Wal.open(config(after));
        WalCursor c = reopened.read(1)) {
      for (int i = 0; i < 10; i++) {
        WalRecord r = c.next();
        assertNotNull(r, "record " + (i + 1) + " lost after sync + crash");
        assertArrayEquals(new byte[] {(byte) i}, r.payload());
      }
      assertEquals(null, c.next(), "the SYNC record is reserved and never returned");
    }
  }

  @Test
  void syncFailsOnAPoisonedLog() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    Wal wal = Wal.open(config(storage));
    wal.append(5, new byte[] {1}).get();
    storage.setFault(
        (op, p) -> op == FaultyStorage.Op.FORCE ? new java.io.IOException("EIO") : null);
    ExecutionException e = assertThrows(ExecutionException.class, () -> wal.sync().get());
    assertTrue(e.getCause() instanceof WalPoisonedException, e.getCause().toString());
    storage.setFault(null);
    assertThrows(WalException.class, wal::close);
  }

  @Test
  void verifyScansReadOnlyAndRefusesDamage() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    try (Wal wal = Wal.open(config(storage))) {
      for (int i = 0; i < 200; i++) {
        wal.appendForced(5, new byte[1000]).get();
      }
    }
    List<Path> before = storage.list(DIR);
    WalVerification v = Wal.verify(config(storage));
    assertEquals(before.size(), storage.list(DIR).size(), "verify changed the directory");
    assertEquals(1, v.firstLsn());
    assertEquals(200, v.lastLsn());
    assertEquals("node-a", v.nodeId());
    assertTrue(v.segments().size() >= 3, v.segments().toString());
    for (int i = 1; i < v.segments().size(); i++) {
      assertEquals(
          v.segments().get(i - 1).lastLsn() + 1, v.segments().get(i).firstLsn(), "chain " + i);
    }
    WalConfig other =
        WalConfig.builder(DIR)
            .nodeId("node-b")
            .segmentSize(64 * 1024)
            .maxRecordSize(4096)
            .storage(storage)
            .build();
    assertThrows(WalNodeIdMismatchException.class, () -> Wal.verify(other));
    // Flip a payload byte in the first (sealed) segment: refused, with the segment named.
    Path first = DIR.resolve(String.format("%020d.wal", v.segments().get(0).index()));
    try (var f = storage.open(first)) {
      f.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {(byte) 0x5a})}, 128 + 17 + 10);
    }
    WalCorruptException e =
        assertThrows(WalCorruptException.class, () -> Wal.verify(config(storage)));
    assertTrue(e.getMessage().contains(first.getFileName().toString()), e.getMessage());
  }
}
