package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips on the real file system: append, read, reopen, rotate, node id, segments. */
class WalBasicsTest {

  @TempDir Path dir;

  static WalConfig.Builder config(Path dir) {
    return WalConfig.builder(dir).nodeId("node-a").segmentSize(64 * 1024).maxRecordSize(4096);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<WalRecord> readAll(Wal wal, long from) throws WalException {
    List<WalRecord> out = new ArrayList<>();
    try (WalCursor c = wal.read(from)) {
      for (WalRecord r = c.next(); r != null; r = c.next()) {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void appendsReadBackAcrossReopenAndRotation() throws Exception {
    List<WalRecord> expected = new ArrayList<>();
    try (Wal wal = Wal.open(config(dir).build())) {
      assertEquals(0L, wal.lastLsn());
      for (int i = 0; i < 1000; i++) {
        byte[] p = bytes("record-" + i + "-".repeat(i % 300));
        CompletableFuture<Long> f =
            i % 3 == 0 ? wal.append(1 + i % 200, p) : wal.appendForced(1 + i % 200, p);
        expected.add(new WalRecord(f.get(), 1 + i % 200, p));
      }
      assertEquals(1000L, wal.lastLsn());
      assertEquals(999L, wal.durableLsn(), "the last record (LSN 1000) was unforced");
      assertEquals(expected, readAll(wal, 1));
      assertEquals(expected.subList(500, 1000), readAll(wal, 501));
      assertTrue(wal.segments().size() >= 3, "small segments must have rotated: " + wal.segments());
    }
    try (Wal wal = Wal.open(config(dir).build())) {
      OpenReport r = wal.openReport();
      assertEquals(1L, r.firstLsn());
      assertEquals(1000L, r.lastLsn());
      assertNull(r.tornTail());
      assertEquals(expected, readAll(wal, 1));
      long lsn = wal.appendForced(7, bytes("after reopen")).get();
      assertEquals(1001L, lsn);
      assertArrayEquals(bytes("after reopen"), readAll(wal, 1001).get(0).payload());
    }
  }

  @Test
  void nodeIdIsAdoptedGeneratedAndChecked() throws Exception {
    try (Wal wal =
        Wal.open(WalConfig.builder(dir).segmentSize(64 * 1024).maxRecordSize(4096).build())) {
      assertTrue(wal.nodeId().startsWith("wal-"), wal.nodeId());
    }
    String generated;
    try (Wal wal =
        Wal.open(WalConfig.builder(dir).segmentSize(64 * 1024).maxRecordSize(4096).build())) {
      generated = wal.nodeId();
    }
    try (Wal wal =
        Wal.open(WalConfig.builder(dir).segmentSize(64 * 1024).maxRecordSize(4096).build())) {
      assertEquals(generated, wal.nodeId());
    }
    WalNodeIdMismatchException e =
        assertThrows(WalNodeIdMismatchException.class, () -> Wal.open(config(dir).build()));
    assertTrue(
        e.getMessage().contains("'node-a'") && e.getMessage().contains(generated), e.getMessage());
  }

  @Test
  void deleteSegmentsBeforeKeepsAGapFreeSuffix() throws Exception {
    try (Wal wal = Wal.open(config(dir).build())) {
      for (int i = 0; i < 2000; i++) {
        wal.append(1, new byte[100]);
      }
      wal.appendForced(1, new byte[100]).get();
      List<SegmentInfo> before = wal.segments();
      SegmentInfo third = before.get(2);
      int deleted = wal.deleteSegmentsBefore(third.firstLsn());
      assertEquals(2, deleted);
      assertEquals(third, wal.segments().get(0));
      assertEquals(third.firstLsn(), readAll(wal, 1).get(0).lsn());
      assertEquals(2, before.size() - wal.segments().size());
    }
    try (Wal wal = Wal.open(config(dir).build())) {
      assertEquals(2001L, wal.openReport().lastLsn());
      assertTrue(wal.openReport().firstLsn() > 1);
    }
  }

  @Test
  void rejectsBadTypesAndOversizedRecordsBeforeQueueing() throws Exception {
    try (Wal wal = Wal.open(config(dir).build())) {
      assertThrows(IllegalArgumentException.class, () -> wal.append(0, new byte[1]));
      assertThrows(IllegalArgumentException.class, () -> wal.append(240, new byte[1]));
      assertThrows(IllegalArgumentException.class, () -> wal.appendForced(1, new byte[4097]));
      assertEquals(0L, wal.lastLsn());
    }
  }

  @Test
  void closedLogRefusesAppends() throws Exception {
    Wal wal = Wal.open(config(dir).build());
    wal.append(1, bytes("x"));
    wal.close();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> wal.appendForced(1, bytes("y")).get());
    assertTrue(e.getCause() instanceof WalClosedException, e.toString());
    try (Wal again = Wal.open(config(dir).build())) {
      assertEquals(1, readAll(again, 1).size(), "the unforced record was forced at close");
    }
    assertTrue(Files.exists(dir.resolve("wal.lock")));
  }
}
