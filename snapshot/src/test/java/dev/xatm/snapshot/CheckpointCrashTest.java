package dev.xatm.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.snapshot.internal.CheckpointFormat;
import dev.xatm.snapshot.internal.CheckpointTriggers;
import dev.xatm.snapshot.internal.Checkpointer;
import dev.xatm.snapshot.internal.LogRetention;
import dev.xatm.snapshot.internal.SegmentArchive;
import dev.xatm.snapshot.internal.SegmentNames;
import dev.xatm.snapshot.internal.SegmentReservations;
import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.storage.FaultyStorage;
import dev.xatm.wal.storage.FaultyStorage.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Crashes around checkpoints and GC on the fault-injecting storage (failure table rows 14, 15):
 * after every crash, startup = newest valid checkpoint + replay holds every acknowledged key (I5
 * style) and nothing that was never appended.
 */
class CheckpointCrashTest {

  private static Checkpointer checkpointer(KeyLog log, SegmentArchive archive) {
    LogRetention retention =
        new LogRetention(log.wal, KeyLog.DIR, log.store, new SegmentReservations(), archive);
    return new Checkpointer(
        log.wal,
        log.store,
        retention,
        log,
        CheckpointTriggers.none(),
        Clock.systemUTC(),
        log.startLsn);
  }

  private static void addAll(KeyLog log, long from, long to, TreeSet<Long> acked) throws Exception {
    for (long k = from; k < to; k++) {
      log.add(k).get();
      acked.add(k);
    }
  }

  private static void assertRecovered(FaultyStorage storage, TreeSet<Long> acked, long attempted)
      throws Exception {
    try (KeyLog again = new KeyLog(storage)) {
      TreeSet<Long> keys = again.keys();
      assertTrue(keys.containsAll(acked), "acknowledged keys lost: " + diff(acked, keys));
      assertTrue(keys.isEmpty() || keys.last() < attempted, "phantom key " + keys.last());
    }
  }

  private static List<Long> diff(TreeSet<Long> a, TreeSet<Long> b) {
    List<Long> out = new ArrayList<>();
    for (Long x : a) {
      if (!b.contains(x)) {
        out.add(x);
        if (out.size() > 10) {
          break;
        }
      }
    }
    return out;
  }

  /** A fault that "kills the process" at the n-th call of {@code op} on a checkpoint file. */
  private static FaultyStorage.Fault killAt(Op op, String namePart) {
    boolean[] renamed = {false};
    return (o, p) -> {
      boolean checkpointFile = p.getFileName().toString().contains(namePart);
      if (op == Op.SYNC_DIR) {
        // The directory fsync right after the checkpoint's rename: the rename is not durable.
        if (o == Op.RENAME && checkpointFile) {
          renamed[0] = true;
        } else if (o == Op.SYNC_DIR && renamed[0]) {
          return new IOException("process killed before the directory fsync of " + p);
        }
        return null;
      }
      return o == op && checkpointFile
          ? new IOException("process killed at " + op + " " + p)
          : null;
    };
  }

  @Test
  void row14CrashDuringCheckpointWriteFallsBackToThePreviousCheckpoint() throws Exception {
    for (Op killed : new Op[] {Op.WRITE, Op.FORCE, Op.RENAME, Op.SYNC_DIR}) {
      long seed = System.nanoTime();
      System.out.println("row14 " + killed + " seed " + seed);
      Random random = new Random(seed);
      FaultyStorage storage = new FaultyStorage();
      TreeSet<Long> acked = new TreeSet<>();
      KeyLog log = new KeyLog(storage);
      Checkpointer cp = checkpointer(log, null);
      addAll(log, 0, 400, acked);
      cp.checkpointNow(CheckpointReason.EXPLICIT);
      addAll(log, 400, 800, acked);
      cp.checkpointNow(CheckpointReason.EXPLICIT);
      addAll(log, 800, 1200, acked);
      storage.setFault(killAt(killed, "checkpoint-"));
      assertThrows(SnapshotException.class, () -> cp.checkpointNow(CheckpointReason.EXPLICIT));
      assertEquals(1, cp.consecutiveFailures());
      storage.setFault(null);
      FaultyStorage after = storage.crash(random);
      assertRecovered(after, acked, 1200);
    }
  }

  @Test
  void row14TornOrCorruptNewestCheckpointFallsBackWithReplay() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    TreeSet<Long> acked = new TreeSet<>();
    long newest;
    try (KeyLog log = new KeyLog(storage)) {
      Checkpointer cp = checkpointer(log, null);
      addAll(log, 0, 500, acked);
      cp.checkpointNow(CheckpointReason.EXPLICIT);
      addAll(log, 500, 1000, acked);
      cp.checkpointNow(CheckpointReason.EXPLICIT);
      addAll(log, 1000, 1500, acked);
      newest = cp.checkpointNow(CheckpointReason.EXPLICIT).lsn();
      assertTrue(log.wal.segments().get(0).firstLsn() > 1, "GC must have run");
    }
    Path file = KeyLog.DIR.resolve(CheckpointFormat.fileName(newest));
    byte[] image = storage.contents(file);
    // Torn: cut at every interesting length; and a flipped payload bit.
    for (int cut : new int[] {0, 10, 67, 68, image.length / 2, image.length - 1}) {
      FaultyStorage copy = storage.copyDurable();
      rewrite(copy, file, java.util.Arrays.copyOf(image, cut));
      assertThrows(
          CheckpointCorruptException.class,
          () -> new CheckpointStore(copy, KeyLog.DIR).load(newest));
      assertRecovered(copy, acked, 1500);
    }
    FaultyStorage flipped = storage.copyDurable();
    byte[] bad = image.clone();
    bad[CheckpointFormat.HEADER_SIZE + 3] ^= 0x10;
    rewrite(flipped, file, bad);
    CheckpointCorruptException e =
        assertThrows(
            CheckpointCorruptException.class,
            () -> new CheckpointStore(flipped, KeyLog.DIR).load(newest));
    assertTrue(e.getMessage().contains("CRC32C mismatch: expected"), e.getMessage());
    assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    assertRecovered(flipped, acked, 1500);
  }

  @Test
  void noValidCheckpointCoveringTheFirstSegmentRefusesToStart() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    List<Long> lsns;
    try (KeyLog log = new KeyLog(storage)) {
      Checkpointer cp = checkpointer(log, null);
      for (int round = 0; round < 3; round++) {
        addAll(log, round * 500, round * 500 + 500, new TreeSet<>());
        cp.checkpointNow(CheckpointReason.EXPLICIT);
      }
      lsns = log.store.list();
    }
    for (long l : lsns) {
      Path f = KeyLog.DIR.resolve(CheckpointFormat.fileName(l));
      byte[] img = storage.contents(f);
      img[img.length - 1] ^= 1;
      rewrite(storage, f, img);
    }
    LogCoverageException e = assertThrows(LogCoverageException.class, () -> new KeyLog(storage));
    assertTrue(e.getMessage().contains("no valid checkpoint covers LSNs 1.."), e.getMessage());
  }

  @Test
  void row15CrashDuringGcWithDeletionsNotDurableReplaysCorrectly() throws Exception {
    long seed = System.nanoTime();
    System.out.println("row15 seed " + seed);
    Random random = new Random(seed);
    for (int i = 0; i < 20; i++) {
      FaultyStorage storage = new FaultyStorage();
      TreeSet<Long> acked = new TreeSet<>();
      KeyLog log = new KeyLog(storage);
      Checkpointer cp = checkpointer(log, null);
      addAll(log, 0, 600, acked);
      cp.checkpointNow(CheckpointReason.EXPLICIT);
      addAll(log, 600, 1200, acked);
      int nth = random.nextInt(4);
      int[] seen = {0};
      // Kill the process at a random segment deletion's directory fsync: the deletions since the
      // last fsync may or may not survive the crash.
      storage.setFault(
          (op, p) ->
              op == Op.SYNC_DIR && seen[0]++ >= nth + 2 ? new IOException("killed in GC") : null);
      try {
        cp.checkpointNow(CheckpointReason.EXPLICIT);
      } catch (SnapshotException expected) {
        // killed part-way
      }
      storage.setFault(null);
      FaultyStorage after = storage.crash(random);
      assertRecovered(after, acked, 1200);
    }
  }

  @Test
  void crashAfterCheckpointBeforeGcAndGcRuleKeepsTheFallback() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    TreeSet<Long> acked = new TreeSet<>();
    KeyLog log = new KeyLog(storage);
    Checkpointer cp = checkpointer(log, null);
    addAll(log, 0, 700, acked);
    long l1 = cp.checkpointNow(CheckpointReason.EXPLICIT).lsn();
    assertEquals(1, log.wal.segments().get(0).index(), "one checkpoint: nothing may be deleted");
    addAll(log, 700, 1400, acked);
    // Checkpoint written, then the process dies before GC (fault on the first segment delete).
    storage.setFault((op, p) -> op == Op.DELETE ? new IOException("killed before GC") : null);
    assertThrows(SnapshotException.class, () -> cp.checkpointNow(CheckpointReason.EXPLICIT));
    storage.setFault(null);
    FaultyStorage after = storage.crash(new Random(7));
    assertRecovered(after, acked, 1400);
    // GC rule, on the survivor: the segment holding l1 + 1 is kept, all before it go.
    try (KeyLog again = new KeyLog(after)) {
      Checkpointer cp2 = checkpointer(again, null);
      List<Long> kept = again.store.list();
      cp2.checkpointNow(CheckpointReason.EXPLICIT);
      List<Long> now = again.store.list();
      assertEquals(2, now.size(), "two checkpoints kept: " + now);
      long older = now.get(0);
      List<SegmentInfo> segs = again.wal.segments();
      assertTrue(segs.get(0).firstLsn() <= older + 1, "fallback not replayable: " + segs);
      assertTrue(segs.get(0).lastLsn() >= older + 1 || segs.get(0).active(), segs.toString());
      assertTrue(kept.contains(l1) || kept.size() >= 1, kept.toString());
    }
  }

  @Test
  void crashDuringArchiveCopyKeepsTheSegmentAndTheLimitIsHonoured() throws Exception {
    long seed = System.nanoTime();
    System.out.println("archive seed " + seed);
    FaultyStorage storage = new FaultyStorage();
    Path archiveDir = Path.of("/archive");
    TreeSet<Long> acked = new TreeSet<>();
    KeyLog log = new KeyLog(storage);
    SegmentArchive archive = new SegmentArchive(storage, archiveDir, 3 * 64 * 1024);
    Checkpointer cp = checkpointer(log, archive);
    addAll(log, 0, 800, acked);
    cp.checkpointNow(CheckpointReason.EXPLICIT);
    addAll(log, 800, 1600, acked);
    long firstIndex = log.wal.segments().get(0).index();
    storage.setFault(
        (op, p) ->
            op == Op.RENAME && p.toString().startsWith("/archive")
                ? new IOException("killed during archive copy")
                : null);
    assertThrows(SnapshotException.class, () -> cp.checkpointNow(CheckpointReason.EXPLICIT));
    assertEquals(firstIndex, log.wal.segments().get(0).index(), "unarchived segment deleted");
    storage.setFault(null);
    FaultyStorage after = storage.crash(new Random(seed));
    assertRecovered(after, acked, 1600);
    try (KeyLog again = new KeyLog(after)) {
      SegmentArchive archive2 = new SegmentArchive(after, archiveDir, 3 * 64 * 1024);
      Checkpointer cp2 = checkpointer(again, archive2);
      TreeSet<Long> more = new TreeSet<>();
      for (int round = 0; round < 4; round++) {
        addAll(again, 2000 + round * 500, 2500 + round * 500, more);
        cp2.checkpointNow(CheckpointReason.EXPLICIT);
      }
      long first = again.wal.segments().get(0).index();
      assertTrue(first > 3, "GC did not advance: " + again.wal.segments());
      assertTrue(archive2.size() <= 3 * 64 * 1024, "archive over its limit: " + archive2.size());
      List<Path> archived = after.list(archiveDir);
      assertFalse(archived.isEmpty());
      for (Path p : archived) {
        assertTrue(p.toString().endsWith(".wal"), "leftover " + p);
        long idx = SegmentNames.indexOf(p.getFileName().toString());
        assertTrue(idx < first, "archived a live segment " + idx);
        assertEquals(after.contents(p).length, 64 * 1024, "archived copy incomplete: " + p);
      }
    }
  }

  static void rewrite(FaultyStorage storage, Path file, byte[] bytes) throws IOException {
    storage.delete(file);
    rewriteNew(storage, file, bytes);
  }

  static void rewriteNew(FaultyStorage storage, Path file, byte[] bytes) throws IOException {
    try (var f = storage.create(file)) {
      f.write(new ByteBuffer[] {ByteBuffer.wrap(bytes)}, 0);
      f.force(true);
    }
    storage.syncDirectory(file.getParent());
  }
}
