package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes and real fsync: a child JVM appends forced records from 4 threads and reports each
 * acknowledged LSN; the parent SIGKILLs it at a random point (after a random number of
 * acknowledgements), reopens the log and checks every acknowledged record, over several rounds on
 * one directory.
 */
class KillNineTest {

  @TempDir Path dir;

  @Test
  void everyAcknowledgedRecordSurvivesSigkill() throws Exception {
    long seed = Long.getLong("wal.seed", System.nanoTime());
    System.out.println("KillNineTest seed=" + seed);
    Random rnd = new Random(seed);
    Map<Long, byte[]> acked = new HashMap<>();
    for (int round = 0; round < 4; round++) {
      int killAfter = 1 + rnd.nextInt(1500);
      try (ChildJvm child = new ChildJvm("append", dir.toString(), "4")) {
        assertTrue(child.line().startsWith("READY"));
        for (int n = 0; n < killAfter; n++) {
          record(acked, child.line());
        }
        child.kill();
        for (String l = child.stdout.readLine(); l != null; l = child.stdout.readLine()) {
          record(acked, l); // printed (so acknowledged) before the kill
        }
      }
      try (Wal wal = Wal.open(WalChild.config(dir))) {
        int found = 0;
        try (WalCursor c = wal.read(1)) {
          long expected = 1;
          for (WalRecord r = c.next(); r != null; r = c.next(), expected++) {
            assertEquals(expected, r.lsn(), "contiguous LSNs (seed " + seed + ")");
            byte[] want = acked.get(r.lsn());
            if (want != null) {
              assertArrayEquals(want, r.payload(), "LSN " + r.lsn() + " (seed " + seed + ")");
              found++;
            }
          }
        }
        assertEquals(
            acked.size(), found, "every acknowledged record is present (seed " + seed + ")");
      }
    }
  }

  private static void record(Map<Long, byte[]> acked, String line) {
    String[] f = line.split(" ");
    if (f.length == 4 && f[0].equals("ACK")) {
      acked.put(
          Long.parseLong(f[1]), WalChild.payload(Integer.parseInt(f[2]), Long.parseLong(f[3])));
    }
  }
}
