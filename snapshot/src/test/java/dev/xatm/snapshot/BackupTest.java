package dev.xatm.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.snapshot.internal.Backup;
import dev.xatm.snapshot.internal.CheckpointTriggers;
import dev.xatm.snapshot.internal.Checkpointer;
import dev.xatm.snapshot.internal.LogRetention;
import dev.xatm.snapshot.internal.SegmentNames;
import dev.xatm.snapshot.internal.SegmentReservations;
import dev.xatm.wal.WalCorruptException;
import dev.xatm.wal.storage.FaultyStorage;
import dev.xatm.wal.storage.FaultyStorage.Op;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Online backup (failure table row 44): consistent copy under appends, incremental reuse, crash
 * during a backup leaves a restorable target, verification catches damage, reservation pins GC.
 */
class BackupTest {
  private static final Path TARGET = Path.of("/backup");

  private record Rig(KeyLog log, Checkpointer cp, SegmentReservations res, Backup backup) {}

  private static Rig rig(FaultyStorage storage) throws Exception {
    KeyLog log = new KeyLog(storage);
    SegmentReservations res = new SegmentReservations();
    Checkpointer cp =
        new Checkpointer(
            log.wal,
            log.store,
            new LogRetention(log.wal, KeyLog.DIR, log.store, res, null),
            log,
            CheckpointTriggers.none(),
            Clock.systemUTC(),
            log.startLsn);
    Backup b =
        new Backup(log.wal, KeyLog.DIR, log.store, res, cp, storage, 4096, Clock.systemUTC());
    return new Rig(log, cp, res, b);
  }

  /** Restores the backup into the log directory of a fresh storage holding only its files. */
  private static TreeSet<Long> restore(FaultyStorage from) throws Exception {
    FaultyStorage target = new FaultyStorage();
    target.createDirectories(KeyLog.DIR);
    for (Path p : from.list(TARGET)) {
      Path dst = KeyLog.DIR.resolve(p.getFileName());
      CheckpointCrashTest.rewriteNew(target, dst, from.contents(p));
    }
    try (KeyLog restored = new KeyLog(target)) {
      return restored.keys();
    }
  }

  @Test
  void backupWhileAppendingIsRestorableAndIncremental() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    Rig r = rig(storage);
    TreeSet<Long> acked = new TreeSet<>();
    for (long k = 0; k < 700; k++) {
      r.log.add(k).get();
      acked.add(k);
    }
    r.cp.checkpointNow(CheckpointReason.EXPLICIT);
    for (long k = 700; k < 1200; k++) {
      r.log.add(k).get();
      acked.add(k);
    }
    r.cp.checkpointNow(CheckpointReason.EXPLICIT);
    // Appends keep running on another thread while the backup copies.
    Thread writer =
        new Thread(
            () -> {
              for (long k = 10_000; k < 10_400; k++) {
                r.log.add(k).join();
              }
            });
    TreeSet<Long> ackedBefore = new TreeSet<>(acked);
    writer.start();
    BackupReport first = r.backup.run(TARGET);
    writer.join();
    assertTrue(first.checkpointLsn() > 0 && first.copied() >= 1, first.toString());
    TreeSet<Long> restored = restore(storage);
    assertTrue(restored.containsAll(ackedBefore), "backup lost acknowledged keys");
    for (long k = 0; k < 400; k++) {
      acked.add(10_000 + k);
    }
    for (long k = 2000; k < 3500; k++) {
      r.log.add(k).get();
      acked.add(k);
    }
    r.cp.checkpointNow(CheckpointReason.EXPLICIT);
    r.cp.checkpointNow(CheckpointReason.EXPLICIT);
    BackupReport second = r.backup.run(TARGET);
    assertTrue(second.removed() >= 1, "old files not removed: " + second);
    assertEquals(acked, restore(storage), "incremental backup restores exactly the state");
    BackupReport third = r.backup.run(TARGET);
    assertTrue(third.kept() >= 1, "nothing reused: " + third);
    assertEquals(acked, restore(storage));
    r.log.close();
  }

  @Test
  void aRestoredBackupOpensStrictlyWithoutAWarningAndWithoutItsHeadIsRefused() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    Rig r = rig(storage);
    TreeSet<Long> acked = new TreeSet<>();
    for (long k = 0; k < 900; k++) { // several 64 KiB segments
      r.log.add(k).get();
      acked.add(k);
    }
    r.cp.checkpointNow(CheckpointReason.EXPLICIT);
    r.backup.run(TARGET);
    r.log.close();
    assertTrue(storage.exists(TARGET.resolve("wal.head")), "the backup holds a wal.head");
    List<LogRecord> warnings = new ArrayList<>();
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord rec) {
            if (rec.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(rec);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger wal = Logger.getLogger("dev.xatm.wal");
    wal.addHandler(h);
    try {
      assertEquals(acked, restore(storage), "the restore opens strictly with every key");
    } finally {
      wal.removeHandler(h);
    }
    assertTrue(
        warnings.stream().noneMatch(w -> String.valueOf(w.getMessage()).contains("wal.head")),
        "no warning about wal.head: " + warnings.stream().map(LogRecord::getMessage).toList());
    storage.delete(TARGET.resolve("wal.head"));
    WalCorruptException e = assertThrows(WalCorruptException.class, () -> restore(storage));
    assertTrue(e.getMessage().contains("wal.head is missing"), e.getMessage());
    assertTrue(e.getMessage().contains("openDamaged"), e.getMessage());
  }

  /**
   * A crash at every file the incremental backup publishes (each is a rename of a finished temp
   * file): the earlier backup stays restorable and the reservation is released. Runs crash point 0,
   * 1, 2, ... until a backup completes without reaching one, so every point is covered whatever the
   * number of files.
   */
  @Test
  void crashDuringBackupLeavesTheEarlierBackupRestorable() throws Exception {
    int points = 0;
    for (int nth = 0; ; nth++) {
      FaultyStorage storage = new FaultyStorage();
      Rig r = rig(storage);
      TreeSet<Long> acked = new TreeSet<>();
      for (long k = 0; k < 1500; k++) {
        r.log.add(k).get();
        acked.add(k);
      }
      r.cp.checkpointNow(CheckpointReason.EXPLICIT);
      r.backup.run(TARGET);
      TreeSet<Long> firstBackup = new TreeSet<>(acked);
      for (long k = 1500; k < 3000; k++) {
        r.log.add(k).get();
      }
      r.cp.checkpointNow(CheckpointReason.EXPLICIT);
      int crashAt = nth;
      int[] renames = {0};
      storage.setFault(
          (op, p) ->
              op == Op.RENAME && p.startsWith(TARGET) && renames[0]++ == crashAt
                  ? new IOException("killed during backup")
                  : null);
      try {
        r.backup.run(TARGET);
      } catch (SnapshotException expected) {
        storage.setFault(null);
        assertTrue(r.res.lowest().isEmpty(), "reservation leaked, crash at rename " + nth);
        long seed = 1000L * nth + 7;
        FaultyStorage after = storage.crash(new Random(seed));
        assertTrue(
            restore(after).containsAll(firstBackup),
            "crash at rename " + nth + " (seed " + seed + ") broke the earlier backup");
        points++;
        r.log.close();
        continue;
      }
      r.log.close();
      assertEquals(nth, renames[0], "the backup published every file with a rename");
      break;
    }
    assertTrue(points >= 2, "the incremental backup should publish several files: " + points);
  }

  @Test
  void reservationPinsGcAndVerifyCatchesAGap() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    Rig r = rig(storage);
    for (long k = 0; k < 800; k++) {
      r.log.add(k).get();
    }
    r.cp.checkpointNow(CheckpointReason.EXPLICIT);
    long firstIndex = r.log.wal.segments().get(0).index();
    try (SegmentReservations.Reservation pin = r.res.reserve(1, "test pin", 0)) {
      for (long k = 800; k < 2400; k++) {
        r.log.add(k).get();
      }
      r.cp.checkpointNow(CheckpointReason.EXPLICIT);
      r.cp.checkpointNow(CheckpointReason.EXPLICIT);
      assertEquals(firstIndex, r.log.wal.segments().get(0).index(), "GC ignored the reservation");
    }
    r.cp.checkpointNow(CheckpointReason.EXPLICIT);
    assertTrue(r.log.wal.segments().get(0).index() > firstIndex, "GC did not resume");
    BackupReport ok = r.backup.run(TARGET);
    // Delete a middle segment of the copy: verification must name the gap.
    long mid = ok.firstLsn();
    Path victim = null;
    for (Path p : storage.list(TARGET)) {
      long idx = SegmentNames.indexOf(p.getFileName().toString());
      if (idx >= 0
          && (victim == null || idx < SegmentNames.indexOf(victim.getFileName().toString()))) {
        victim = p;
      }
    }
    assertTrue(mid > 0 && victim != null);
    storage.delete(victim);
    BackupVerificationException e =
        assertThrows(
            BackupVerificationException.class,
            () ->
                new Backup(
                        r.log.wal,
                        KeyLog.DIR,
                        r.log.store,
                        r.res,
                        r.cp,
                        storage,
                        4096,
                        Clock.systemUTC())
                    .verifyOnly(TARGET));
    assertTrue(e.getMessage().contains(TARGET.toString()), e.getMessage());
    r.log.close();
  }
}
