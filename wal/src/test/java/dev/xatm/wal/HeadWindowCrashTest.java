package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.xatm.wal.storage.FaultyStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * A crash (or an I/O error) at every step of an open and of a rotation, repeated on the next opens:
 * the window between a new segment's durable header and the head file naming it must never stop the
 * log from opening, and no acknowledged record may be lost (a crash-looping service passes through
 * that window again and again).
 */
class HeadWindowCrashTest {

  static final Path DIR = Path.of("/faulty/head-window");

  static WalConfig config(FaultyStorage s) {
    return WalConfig.builder(DIR)
        .nodeId("node-a")
        .segmentSize(64 * 1024)
        .maxRecordSize(4096)
        .storage(s)
        .build();
  }

  /**
   * Fails every storage call of the chosen threads from the n-th counted one on: the process died
   * there. Counts every call, or only the calls that change the disk (reads change nothing, and
   * their number grows with the files an earlier crash left).
   */
  static final class CrashAt implements FaultyStorage.Fault {
    private final int n;
    private final Predicate<Thread> who;
    private final boolean mutationsOnly;
    private volatile boolean crashed;
    final AtomicInteger calls = new AtomicInteger();

    CrashAt(int n, Predicate<Thread> who, boolean mutationsOnly) {
      this.n = n;
      this.who = who;
      this.mutationsOnly = mutationsOnly;
    }

    @Override
    public IOException onCall(FaultyStorage.Op op, Path path) {
      if (!who.test(Thread.currentThread())) {
        return null;
      }
      boolean counted =
          !mutationsOnly
              || switch (op) {
                case CREATE, WRITE, FORCE, DELETE, RENAME, SYNC_DIR, MKDIRS -> true;
                default -> false;
              };
      if (counted && calls.incrementAndGet() >= n) {
        crashed = true;
      }
      return crashed ? new IOException("crash (injected) at call " + n) : null;
    }
  }

  static byte[] payload(int i) {
    byte[] b = new byte[1000];
    ByteBuffer.wrap(b).putInt(i);
    b[b.length - 1] = (byte) i;
    return b;
  }

  /**
   * Opens with a crash at the n-th change to the disk by the opening thread; returns the surviving
   * storage.
   */
  private static FaultyStorage crashingOpen(FaultyStorage s, int n) {
    Thread me = Thread.currentThread();
    CrashAt crash = new CrashAt(n, t -> t == me, true);
    s.setFault(crash);
    Wal wal = null;
    try {
      wal = Wal.open(config(s));
    } catch (WalException expected) {
      // the crash (or an earlier refusal, which the final open reports)
    }
    FaultyStorage after = s.copyDurable();
    s.setFault(null);
    if (wal != null) {
      try {
        wal.close();
      } catch (WalException ignored) {
        // this "process" is gone; only the durable state counts
      }
    }
    return after;
  }

  /** The changes to the disk an open makes on the opening thread when nothing fails. */
  private static int callsOfOpen(FaultyStorage s) throws Exception {
    FaultyStorage copy = s.copyDurable();
    Thread me = Thread.currentThread();
    CrashAt count = new CrashAt(Integer.MAX_VALUE, t -> t == me, true);
    copy.setFault(count);
    Wal.open(config(copy)).close();
    return count.calls.get();
  }

  private static void assertOpensWithAll(FaultyStorage s, List<byte[]> acked, String where)
      throws Exception {
    Wal wal;
    try {
      wal = Wal.open(config(s));
    } catch (WalException e) {
      throw new AssertionError("the log must open after " + where + ": " + e.getMessage(), e);
    }
    try (wal) {
      List<WalRecord> all = WalBasicsTest.readAll(wal, 1);
      assertTrue(all.size() >= acked.size(), "acknowledged records lost after " + where);
      for (int i = 0; i < acked.size(); i++) {
        assertEquals(i + 1, all.get(i).lsn(), where);
        assertArrayEquals(acked.get(i), all.get(i).payload(), "LSN " + (i + 1) + " after " + where);
      }
      long next = wal.appendForced(1, payload(9999)).get(10, TimeUnit.SECONDS);
      assertEquals(all.size() + 1, next, "no LSN is reused after " + where);
    }
  }

  private static FaultyStorage logWith(List<byte[]> acked, int records) throws Exception {
    FaultyStorage s = new FaultyStorage();
    Wal wal = Wal.open(config(s));
    for (int i = 0; i < records; i++) {
      byte[] p = payload(acked.size());
      wal.appendForced(1, p).get(10, TimeUnit.SECONDS);
      acked.add(p);
    }
    FaultyStorage after = s.copyDurable(); // a crash: no clean close
    wal.close();
    return after;
  }

  @Test
  void crashesAtEveryStepOfOpenRepeatedStillOpen() throws Exception {
    List<byte[]> acked = new ArrayList<>();
    FaultyStorage base = logWith(acked, 10);
    int calls = callsOfOpen(base);
    assertTrue(calls >= 6, "an open changes the disk: " + calls);
    for (int a = 1; a <= calls + 1; a++) {
      FaultyStorage once = crashingOpen(base.copyDurable(), a);
      assertOpensWithAll(once.copyDurable(), acked, "a crash at change " + a + " of open");
      for (int b = 1; b <= calls + 1; b++) {
        FaultyStorage twice = crashingOpen(once.copyDurable(), b);
        assertOpensWithAll(
            twice.copyDurable(), acked, "crashes at changes " + a + ", " + b + " of opens");
        for (int c = 1; c <= calls + 1; c++) {
          FaultyStorage thrice = crashingOpen(twice.copyDurable(), c);
          assertOpensWithAll(
              thrice, acked, "crashes at changes " + a + ", " + b + ", " + c + " of opens");
        }
      }
    }
  }

  /** The index wal.head names (FORMAT.md: slots at 0 and 4096, sequence at 16, index at 40). */
  static long headIndex(FaultyStorage s) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap(s.contents(DIR.resolve("wal.head")))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    return b.getLong(16) >= b.getLong(4096 + 16) ? b.getLong(40) : b.getLong(4096 + 40);
  }

  @Test
  void dataInASegmentTwoAboveTheOneTheHeadNamesIsRefused() throws Exception {
    List<byte[]> acked = new ArrayList<>();
    FaultyStorage base = logWith(acked, 3);
    Path seg3 = DIR.resolve("00000000000000000003.wal");
    Path seg4 = DIR.resolve("00000000000000000004.wal");
    int calls = callsOfOpen(base);
    for (int ab = 0; ab < calls * calls; ab++) {
      int a = 1 + ab / calls;
      int b = 1 + ab % calls;
      FaultyStorage s = crashingOpen(crashingOpen(base.copyDurable(), a), b);
      if (!s.exists(seg3)
          || s.exists(seg4)
          || headIndex(s) != 1
          || s.contents(seg3).length < 1024
          || s.contents(seg3)[0] != 'X') { // a header ("XATM-WAL"), not a spare
        continue; // not the window: the head names segment 1, segments 2 and 3 header-only
      }
      assertOpensWithAll(s.copyDurable(), acked, "crashes at changes " + a + ", " + b);
      s.poke(seg3, 1000, new byte[] {0x11});
      WalCorruptException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              WalCorruptException.class, () -> Wal.open(config(s)));
      assertTrue(e.getMessage().contains("segment 3"), e.getMessage());
      assertTrue(e.getMessage().contains("offset 1000 holds data"), e.getMessage());
      return;
    }
    fail("no crash point left two header-only segments above the one wal.head names");
  }

  @Test
  void aCrashAtEveryStepOfRotationThenCrashingOpensStillOpen() throws Exception {
    for (int n = 1; ; n++) {
      List<byte[]> acked = new ArrayList<>();
      FaultyStorage s = new FaultyStorage();
      Wal wal = Wal.open(config(s));
      for (int i = 0; i < 64; i++) { // fills segment 1 (64 records of 1 KB in 64 KiB)
        byte[] p = payload(acked.size());
        wal.appendForced(1, p).get(10, TimeUnit.SECONDS);
        acked.add(p);
      }
      assertEquals(1, wal.segments().size(), "no rotation yet");
      CrashAt crash = new CrashAt(n, t -> t.getName().startsWith("xatm-wal-writer"), false);
      s.setFault(crash);
      byte[] p = payload(acked.size());
      boolean rotated;
      try {
        wal.appendForced(1, p).get(10, TimeUnit.SECONDS);
        acked.add(p);
        rotated = true;
      } catch (ExecutionException expected) {
        rotated = false; // the crash hit the rotation (or the write after it)
      }
      FaultyStorage after = s.copyDurable();
      s.setFault(null);
      try {
        wal.close();
      } catch (WalException ignored) {
        // poisoned by the injected crash
      }
      for (int times = 0; times <= 2; times++) {
        FaultyStorage t = after.copyDurable();
        int calls = callsOfOpen(t);
        for (int m = 1; m <= (times == 0 ? 1 : calls + 1); m++) {
          FaultyStorage u = t.copyDurable();
          for (int k = 0; k < times; k++) {
            u = crashingOpen(u, m);
          }
          assertOpensWithAll(
              u,
              acked,
              "a crash at call "
                  + n
                  + " of rotation and "
                  + times
                  + " at change "
                  + m
                  + " of open");
        }
      }
      if (rotated) {
        return; // every step of the rotation was crashed once
      }
      if (n > 50) {
        fail("a rotation should take fewer than 50 storage calls");
      }
    }
  }
}
