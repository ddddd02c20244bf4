package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.wal.storage.FaultyStorage;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end of the log and the settings it was written with (issue 11): a changed setting is never
 * read as a torn tail, GC never stalls rotation, the directory lock survives a refused open through
 * another name, and an open that cannot start names cause and fix.
 */
class EndOfLogTest {

  static final Path DIR = Path.of("/faulty/end");

  static WalConfig.Builder config(FaultyStorage s) {
    return WalConfig.builder(DIR).nodeId("node-a").storage(s);
  }

  static byte[] big(int n) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) 7);
    b[n - 1] = 1;
    return b;
  }

  @Test
  void aSmallerMaxRecordSizeOnRestartStillReadsTheLongerRecordsWrittenBefore() throws Exception {
    FaultyStorage s = new FaultyStorage();
    try (Wal wal = Wal.open(config(s).maxRecordSize(64 * 1024).build())) {
      wal.appendForced(1, new byte[] {1}).get();
      assertEquals(2L, wal.appendForced(2, big(20_000)).get());
    }
    FaultyStorage after = s.copyDurable();
    try (Wal wal = Wal.open(config(after).maxRecordSize(16 * 1024).build())) {
      assertEquals(2, wal.openReport().lastLsn(), "the 20,000-byte record is not a torn tail");
      assertNull(wal.openReport().tornTail());
      List<WalRecord> all = WalBasicsTest.readAll(wal, 1);
      assertArrayEquals(big(20_000), all.get(1).payload());
      assertEquals(3L, wal.appendForced(1, new byte[] {3}).get(), "LSN 2 is never reused");
    }
  }

  @Test
  void aSmallerSegmentSizeOnRestartStillReadsTheLongerRecordsWrittenBefore() throws Exception {
    FaultyStorage s = new FaultyStorage();
    try (Wal wal = Wal.open(config(s).segmentSize(1 << 20).maxRecordSize(256 * 1024).build())) {
      assertEquals(1L, wal.appendForced(2, big(18_853)).get());
    }
    try (Wal wal =
        Wal.open(config(s.copyDurable()).segmentSize(64 * 1024).maxRecordSize(16 * 1024).build())) {
      assertEquals(1, wal.openReport().lastLsn());
      assertArrayEquals(big(18_853), WalBasicsTest.readAll(wal, 1).get(0).payload());
    }
  }

  @Test
  void aFormat1LogWithRecordsLongerThanTheSettingIsRefusedNamingTheSetting() throws Exception {
    FaultyStorage s = new FaultyStorage();
    try (Wal wal = Wal.open(config(s).maxRecordSize(64 * 1024).build())) {
      wal.appendForced(1, new byte[] {1}).get();
      wal.appendForced(2, big(20_000)).get();
      wal.appendForced(1, new byte[] {3}).get();
    }
    Path seg1 = DIR.resolve("00000000000000000001.wal");
    CorruptionTableTest.toVersion1(seg1).apply(s);
    s.remove(DIR.resolve("wal.head"));
    for (boolean damaged : new boolean[] {false, true}) {
      WalSettingException e =
          assertThrows(
              WalSettingException.class,
              () ->
                  Wal.open(
                      config(s.copyDurable())
                          .maxRecordSize(16 * 1024)
                          .openDamaged(damaged)
                          .build()));
      assertTrue(e.getMessage().contains("maxRecordSize >= 20000"), e.getMessage());
      assertTrue(e.getMessage().contains("nothing is damaged"), e.getMessage());
      assertEquals(20_000, e.requiredMaxRecordSize(), "for callers that name their own setting");
    }
    try (Wal wal = Wal.open(config(s.copyDurable()).maxRecordSize(32 * 1024).build())) {
      assertEquals(3, wal.openReport().lastLsn(), "the right setting reads the format-1 log");
    }
  }

  /**
   * The other side of "a torn write never raises a length": a format-1 segment does not record the
   * limit it was written with, so a torn last record longer than today's setting may be one of ours
   * that was being written. It stays a torn tail, not damage.
   */
  @Test
  void aTornFormat1RecordLongerThanTheLoweredSettingIsStillATornWrite() throws Exception {
    FaultyStorage s = new FaultyStorage();
    try (Wal wal = Wal.open(config(s).maxRecordSize(64 * 1024).build())) {
      wal.appendForced(1, new byte[] {1}).get();
      wal.appendForced(2, big(20_000)).get();
    }
    Path seg1 = DIR.resolve("00000000000000000001.wal");
    CorruptionTableTest.toVersion1(seg1).apply(s);
    s.remove(DIR.resolve("wal.head"));
    int at = payloadAt(s, seg1, big(20_000));
    s.poke(seg1, at + 10_000, new byte[10_000]); // the write's second half never reached the disk
    try (Wal wal = Wal.open(config(s.copyDurable()).maxRecordSize(16 * 1024).build())) {
      assertEquals(1, wal.openReport().lastLsn(), "the torn record is dropped");
      assertTrue(wal.openReport().tornTail() != null, "and reported as a torn tail");
    }
  }

  /** A last record whose payload ends in 0x00, like a Committing of 256 branches (u32 256). */
  static byte[] endsInZero() {
    byte[] p = new byte[200];
    Arrays.fill(p, (byte) 0x5a);
    p[196] = 0x00;
    p[197] = 0x01; // little-endian u32 256: 00 01 00 00
    p[198] = 0x00;
    p[199] = 0x00;
    return p;
  }

  /** The file offset of the payload {@code p} in segment file {@code seg} (it must be unique). */
  static int payloadAt(FaultyStorage s, Path seg, byte[] p) throws IOException {
    byte[] b = s.contents(seg);
    outer:
    for (int i = 0; i + p.length <= b.length; i++) {
      for (int j = 0; j < p.length; j++) {
        if (b[i + j] != p[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("payload not found in " + seg);
  }

  private static FaultyStorage logEndingInZeroPayload() throws Exception {
    FaultyStorage s = new FaultyStorage();
    try (Wal wal = Wal.open(config(s).build())) {
      wal.appendForced(1, new byte[] {1, 2, 3}).get();
      assertEquals(2L, wal.appendForced(2, endsInZero()).get());
      return s.copyDurable(); // a crash: no clean-close LSN in wal.head
    }
  }

  @Test
  void aFlippedBitInALastRecordEndingInZeroIsDamageNotATornWrite() throws Exception {
    FaultyStorage s = logEndingInZeroPayload();
    Path seg1 = DIR.resolve("00000000000000000001.wal");
    int at = payloadAt(s, seg1, endsInZero());
    s.poke(seg1, at + 100, new byte[] {(byte) (0x5a ^ 0x08)});
    WalCorruptException e =
        assertThrows(WalCorruptException.class, () -> Wal.open(config(s.copyDurable()).build()));
    assertTrue(e.getMessage().contains("so it is not a torn write"), e.getMessage());
  }

  @Test
  void aTornLastRecordEndingInZeroIsStillATornWrite() throws Exception {
    FaultyStorage s = logEndingInZeroPayload();
    Path seg1 = DIR.resolve("00000000000000000001.wal");
    int at = payloadAt(s, seg1, endsInZero());
    s.poke(seg1, at + 150, new byte[64]); // the write's suffix never reached the disk
    try (Wal wal = Wal.open(config(s.copyDurable()).build())) {
      assertEquals(1, wal.openReport().lastLsn(), "the torn record is dropped");
      assertTrue(wal.openReport().tornTail() != null, "and reported as a torn tail");
    }
  }

  @Test
  void openDamagedNeverOverwritesTheZeroedNewestSegmentItReportedWithoutAHead() throws Exception {
    FaultyStorage s = new FaultyStorage();
    int size = 64 * 1024;
    try (Wal wal = Wal.open(config(s).segmentSize(size).maxRecordSize(4096).build())) {
      while (wal.segments().size() < 3) {
        wal.appendForced(1, new byte[1000]).get();
      }
      wal.appendForced(1, new byte[1000]).get();
    }
    FaultyStorage after = s.copyDurable();
    Path seg3 = DIR.resolve("00000000000000000003.wal");
    Path seg4 = DIR.resolve("00000000000000000004.wal");
    after.remove(DIR.resolve("wal.head"));
    after.poke(seg3, 0, new byte[size]); // zeroed: looks like a spare, but a spare lies above it
    if (after.exists(seg4)) {
      after.remove(seg4);
    }
    after.put(seg4, new byte[size]);
    try (Wal wal =
        Wal.open(config(after).segmentSize(size).maxRecordSize(4096).openDamaged(true).build())) {
      assertTrue(
          wal.openReport().damage().stream().anyMatch(d -> d.contains("segment 3 (")),
          wal.openReport().damage().toString());
      SegmentInfo active = wal.segments().get(wal.segments().size() - 1);
      assertTrue(active.index() >= 4, "continues above the evidence: " + active);
    }
    assertArrayEquals(new byte[size], after.contents(seg3), "the evidence is kept as it was");
  }

  @Test
  void rotationProceedsWhileASegmentDeletionIsHeld() throws Exception {
    FaultyStorage s = new FaultyStorage();
    try (Wal wal = Wal.open(config(s).segmentSize(64 * 1024).maxRecordSize(4096).build())) {
      byte[] p = new byte[1000];
      long lsn = 0;
      while (wal.segments().size() < 3) {
        lsn = wal.appendForced(1, p).get();
      }
      s.holdDeletes();
      long upTo = lsn;
      CompletableFuture<Integer> gc =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return wal.deleteSegmentsBefore(upTo);
                } catch (WalException e) {
                  throw new IllegalStateException(e);
                }
              });
      try {
        assertTrue(s.awaitDeleteHeld(10, TimeUnit.SECONDS), "the deletion started");
        // Two segments' worth of records: at least one rotation while the deletion is held.
        for (int i = 0; i < 140; i++) {
          wal.appendForced(1, p).get(10, TimeUnit.SECONDS);
        }
      } finally {
        s.releaseDeletes();
      }
      assertTrue(gc.get(10, TimeUnit.SECONDS) >= 1);
      assertTrue(wal.segments().size() >= 2, wal.segments().toString());
    }
  }

  @Test
  void aRefusedOpenThroughASymlinkKeepsTheHoldersLock(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("log");
    Files.createDirectories(dir);
    Path link = tmp.resolve("link");
    Files.createSymbolicLink(link, dir);
    try (Wal first = Wal.open(WalChild.config(dir))) {
      assertThrows(WalLockedException.class, () -> Wal.open(WalChild.config(link)));
      first.appendForced(1, new byte[] {1}).get();
      try (ChildJvm child = new ChildJvm("open", dir.toString())) {
        String line = child.line();
        assertTrue(line.startsWith("LOCKED "), "another process must still be refused: " + line);
        assertEquals(0, child.waitExit());
      }
    }
  }

  @Test
  void aRemovedLockFileStopsTheLogAtTheNextRotation(@TempDir Path dir) throws Exception {
    try (Wal wal =
        Wal.open(
            WalConfig.builder(dir)
                .nodeId("child-node")
                .segmentSize(64 * 1024)
                .maxRecordSize(4096)
                .build())) {
      wal.appendForced(1, new byte[] {1}).get();
      Files.delete(dir.resolve("wal.lock"));
      byte[] p = new byte[1000];
      java.util.concurrent.ExecutionException e = null;
      for (int i = 0; i < 100 && e == null; i++) {
        try {
          wal.appendForced(1, p).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException x) {
          e = x;
        }
      }
      assertTrue(e != null, "a rotation happened within 100 KB and must have failed");
      assertTrue(e.getCause() instanceof WalPoisonedException, String.valueOf(e.getCause()));
      assertTrue(
          e.getCause().getCause().getMessage().contains("wal.lock was removed or replaced"),
          e.getCause().getCause().getMessage());
    } catch (WalPoisonedException closedAfterPoison) {
      // close() reports the poison again
    }
  }

  @Test
  void aLockFileThatIsADirectoryIsNamedWithTheFix(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("wal.lock"));
    WalException e = assertThrows(WalException.class, () -> Wal.open(WalChild.config(dir)));
    assertTrue(e.getMessage().contains("wal.lock is a directory"), e.getMessage());
    assertTrue(e.getMessage().contains("remove it"), e.getMessage());
  }

  @Test
  void aReadOnlyFileSystemIsNamedWithTheFixAndTheCause() {
    FaultyStorage s = new FaultyStorage();
    IOException ro = new FileSystemException("/faulty/end/wal.lock", null, "Read-only file system");
    s.setFault((op, path) -> op == FaultyStorage.Op.LOCK ? ro : null);
    WalException e = assertThrows(WalException.class, () -> Wal.open(config(s).build()));
    assertTrue(e.getMessage().contains("the file system is read-only"), e.getMessage());
    assertTrue(e.getMessage().contains("remount it read-write"), e.getMessage());
    assertSame(ro, e.getCause());
  }

  @Test
  void aFullDiskIsNamedWithTheFixAndTheCause() {
    FaultyStorage s = new FaultyStorage();
    IOException full = new IOException("No space left on device");
    s.setFault(
        (op, path) ->
            op == FaultyStorage.Op.WRITE && path.toString().endsWith(".wal") ? full : null);
    WalException e = assertThrows(WalException.class, () -> Wal.open(config(s).build()));
    assertTrue(e.getMessage().contains("the disk is full"), e.getMessage());
    assertTrue(e.getMessage().contains("segmentSize = 16777216"), e.getMessage());
    assertSame(full, e.getCause());
  }
}
