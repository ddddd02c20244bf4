package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.wal.storage.FaultyStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Wal#stats()} and the {@code dev.xatm.wal.LogForce} JFR event: a force held by the storage
 * makes the next batch exactly the records appended meanwhile.
 */
class WalStatsTest {
  @TempDir Path tmp;

  @Test
  void aHeldForceGroupsTheWaitingRecordsIntoOneBatchInStatsAndJfr() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    WalConfig config =
        WalConfig.builder(Path.of("/log"))
            .nodeId("node-a")
            .segmentSize(64 * 1024)
            .maxRecordSize(4096)
            .storage(storage)
            .build();
    Path jfr = tmp.resolve("wal.jfr");
    try (Recording recording = new Recording()) {
      recording.enable("dev.xatm.wal.LogForce");
      recording.start();
      try (Wal wal = Wal.open(config)) {
        assertEquals(0, wal.stats().batchRecords().count(), "nothing written yet");
        storage.holdForces();
        CompletableFuture<Long> first = wal.appendForced(5, new byte[10]);
        assertTrue(storage.awaitForceHeld(10, TimeUnit.SECONDS));
        List<CompletableFuture<Long>> waiting = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          waiting.add(wal.appendForced(5, new byte[20]));
        }
        storage.releaseForces();
        first.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<Long> f : waiting) {
          f.get(10, TimeUnit.SECONDS);
        }
        WalStats s = wal.stats();
        // Batches: {record 1}, then the ten that queued behind its fsync (one write, one force).
        // The held force may also be a background one (the preallocator's); then record 1 rides
        // in the same batch as the ten, so count one or two batches, one of ten or eleven.
        long batches = s.batchRecords().count();
        assertTrue(batches == 1 || batches == 2, s.toString());
        assertEquals(batches, s.forceLatencyMicros().count(), s.toString());
        assertEquals(11, s.batchRecords().sum());
        assertTrue(s.batchRecords().max() >= 10, s.toString());
        assertEquals(1L, s.batchRecords().counts().get(4), "10 or 11 is in the bucket (8, 16]");
        assertEquals(11, s.queueWaitMicros().count(), "one wait per record");
        assertTrue(s.queueWaitMicros().max() > 0, "ten records waited behind a held fsync");
        assertTrue(s.batchRecords().percentile(1.0) >= 10);
        // Format 2: a 17-byte header, the payload and a 1-byte end mark per record (FORMAT.md).
        assertEquals(11 * 18 + 10 + 200, s.forcedBytes(), "headers + payloads + end marks");
      }
      recording.stop();
      recording.dump(jfr);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(jfr);
    assertFalse(events.isEmpty(), "no LogForce event recorded");
    assertTrue(events.size() == 1 || events.size() == 2, events.toString());
    RecordedEvent batch = events.get(events.size() - 1);
    assertEquals("dev.xatm.wal.LogForce", batch.getEventType().getName());
    int records = batch.getInt("records");
    assertTrue(records == 10 || records == 11, batch.toString());
    assertEquals(records * 18L + 200 + (records == 11 ? 10 : 0), batch.getLong("bytes"));
    assertEquals(11, batch.getLong("lastLsn"));
    assertEquals(1, batch.getLong("segment"));
    assertTrue(batch.getDuration("maxQueueWait").toNanos() > 0);
    assertTrue(batch.getDuration("fsyncTime").toNanos() >= 0);
    assertEquals(1, events.get(0).getInt("records"));
    assertTrue(Files.size(jfr) > 0);
  }

  @Test
  void emptyStatsHaveOneMoreCountThanBounds() {
    Histogram h = WalStats.EMPTY.forceLatencyMicros();
    assertEquals(h.upperBounds().size() + 1, h.counts().size());
    assertEquals(0, h.percentile(0.99));
    assertEquals(0.0, h.mean());
  }
}
