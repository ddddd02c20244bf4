package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.wal.storage.FaultyStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Property: random appends (forced and not), rotations (64 KiB segments), I/O errors and power
 * losses at random moments; after every reopen each acknowledged record reads back exactly once, in
 * LSN order, with its exact bytes (I5), LSNs have no gap, and the records of each round form a
 * prefix of what that round appended (nothing unacknowledged appears after a hole).
 *
 * <p>Run again with {@code -Dwal.seed=<seed>} to reproduce a failure.
 */
class CrashPropertyTest {

  static final Path DIR = Path.of("/faulty/crash");

  record Sent(int round, int index, boolean forced, CompletableFuture<Long> future) {}

  static byte[] payload(int round, int index) {
    Random r = new Random(round * 1_000_003L + index);
    int size = 8 + (r.nextInt(10) == 0 ? r.nextInt(3000) : r.nextInt(300));
    byte[] b = new byte[size];
    r.nextBytes(b);
    ByteBuffer.wrap(b).putInt(round).putInt(index);
    return b;
  }

  static WalConfig config(FaultyStorage s) {
    return WalConfig.builder(DIR)
        .nodeId("node-a")
        .segmentSize(64 * 1024)
        .maxRecordSize(4096)
        .queueMaxRecords(64)
        .storage(s)
        .build();
  }

  @Test
  void acknowledgedRecordsSurviveRandomCrashes() throws Exception {
    long seed = Long.getLong("wal.seed", System.nanoTime());
    System.out.println("CrashPropertyTest seed=" + seed + " (rerun with -Dwal.seed=" + seed + ")");
    Random rnd = new Random(seed);
    FaultyStorage storage = new FaultyStorage();
    TreeMap<Long, byte[]> acked = new TreeMap<>();
    int totalAcked = 0;
    for (int round = 0; round < 40; round++) {
      Wal wal = Wal.open(config(storage));
      verify(wal, acked, seed, round);
      List<Sent> sent = new ArrayList<>();
      int ops = 1 + rnd.nextInt(400);
      for (int i = 0; i < ops; i++) {
        boolean forced = rnd.nextInt(3) == 0;
        byte[] p = payload(round, i);
        sent.add(new Sent(round, i, forced, forced ? wal.appendForced(5, p) : wal.append(6, p)));
        if (rnd.nextInt(50) == 0) {
          sent.get(sent.size() - 1).future().handle((v, e) -> v).get(10, TimeUnit.SECONDS);
        }
      }
      if (rnd.nextInt(5) == 0) {
        storage.setFault(
            (op, path) -> op == FaultyStorage.Op.FORCE ? new IOException("EIO (injected)") : null);
      }
      FaultyStorage after = storage.crash(rnd);
      for (Sent s : sent) {
        CompletableFuture<Long> f = s.future();
        if (s.forced() && f.isDone() && !f.isCompletedExceptionally()) {
          acked.put(f.join(), payload(s.round(), s.index()));
          totalAcked++;
        }
      }
      try {
        wal.close();
      } catch (WalException expectedAfterCrash) {
        // the "killed process" saw its storage die
      }
      storage = after;
    }
    try (Wal wal = Wal.open(config(storage))) {
      verify(wal, acked, seed, 40);
    }
    assertTrue(totalAcked > 0, "the test must acknowledge something (seed " + seed + ")");
  }

  private static void verify(Wal wal, TreeMap<Long, byte[]> acked, long seed, int round)
      throws Exception {
    String where = " (seed " + seed + ", before round " + round + ")";
    long expectedLsn = 1;
    Map<Integer, Integer> nextIndexOfRound = new HashMap<>();
    try (WalCursor c = wal.read(1)) {
      for (WalRecord r = c.next(); r != null; r = c.next()) {
        assertEquals(expectedLsn, r.lsn(), "LSNs are contiguous" + where);
        ByteBuffer b = ByteBuffer.wrap(r.payload());
        int rd = b.getInt();
        int index = b.getInt();
        assertArrayEquals(payload(rd, index), r.payload(), "bytes of LSN " + r.lsn() + where);
        int next = nextIndexOfRound.getOrDefault(rd, 0);
        assertEquals(next, index, "round " + rd + " survives as a prefix, in order" + where);
        nextIndexOfRound.put(rd, index + 1);
        byte[] ack = acked.get(r.lsn());
        if (ack != null) {
          assertArrayEquals(ack, r.payload(), "acknowledged LSN " + r.lsn() + where);
        }
        expectedLsn++;
      }
    }
    long last = expectedLsn - 1;
    assertEquals(last, wal.openReport().lastLsn(), where);
    if (!acked.isEmpty()) {
      assertTrue(
          acked.lastKey() <= last,
          "acknowledged LSN " + acked.lastKey() + " lost; log ends at " + last + where);
    }
  }
}
