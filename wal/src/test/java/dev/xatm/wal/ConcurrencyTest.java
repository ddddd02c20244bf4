package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many appenders while the writer rotates small segments (failure row 35), on real files with
 * fsync: every future completes with a distinct LSN, each thread's records keep their order, and
 * the log reads back complete before and after reopening. A tiny queue forces back-pressure.
 */
class ConcurrencyTest {

  @TempDir Path dir;

  static final int THREADS = 16;
  static final int PER_THREAD = 400;

  static byte[] payload(int thread, int i) {
    byte[] b = new byte[8 + (thread * 31 + i * 7) % 200];
    ByteBuffer.wrap(b).putInt(thread).putInt(i);
    return b;
  }

  @Test
  void appendersAndRotationsKeepTotalsAndOrder() throws Exception {
    WalConfig config =
        WalConfig.builder(dir)
            .nodeId("node-a")
            .segmentSize(64 * 1024)
            .maxRecordSize(4096)
            .queueMaxRecords(32)
            .queueMaxBytes(8192)
            .build();
    List<List<CompletableFuture<Long>>> futures = new ArrayList<>();
    try (Wal wal = Wal.open(config)) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        List<CompletableFuture<Long>> mine = new ArrayList<>();
        futures.add(mine);
        int thread = t;
        Thread th =
            new Thread(
                () -> {
                  try {
                    start.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                  for (int i = 0; i < PER_THREAD; i++) {
                    byte[] p = payload(thread, i);
                    mine.add(i % 4 == 0 ? wal.appendForced(3, p) : wal.append(4, p));
                    if (i % 50 == 0) {
                      mine.get(mine.size() - 1).join();
                    }
                  }
                });
        th.start();
        threads.add(th);
      }
      start.countDown();
      for (Thread th : threads) {
        th.join(TimeUnit.MINUTES.toMillis(1));
        assertTrue(!th.isAlive(), "appender stuck");
      }
      Set<Long> lsns = new HashSet<>();
      for (List<CompletableFuture<Long>> mine : futures) {
        long prev = 0;
        for (CompletableFuture<Long> f : mine) {
          long lsn = f.get(30, TimeUnit.SECONDS);
          assertTrue(lsn > prev, "a thread's records keep their order");
          prev = lsn;
          assertTrue(lsns.add(lsn), "duplicate LSN " + lsn);
        }
      }
      assertEquals(THREADS * PER_THREAD, lsns.size());
      assertTrue(wal.segments().size() > 5, "rotations happened: " + wal.segments().size());
      check(wal);
    }
    try (Wal wal = Wal.open(config)) {
      assertEquals(THREADS * PER_THREAD, wal.openReport().lastLsn());
      check(wal);
    }
  }

  private static void check(Wal wal) throws WalException {
    int[] next = new int[THREADS];
    long expected = 1;
    try (WalCursor c = wal.read(1)) {
      for (WalRecord r = c.next(); r != null; r = c.next(), expected++) {
        assertEquals(expected, r.lsn());
        ByteBuffer b = ByteBuffer.wrap(r.payload());
        int thread = b.getInt();
        int i = b.getInt();
        assertEquals(next[thread]++, i, "order within thread " + thread);
        assertArrayEquals(payload(thread, i), r.payload());
      }
    }
    assertEquals(THREADS * PER_THREAD + 1, expected);
  }
}
