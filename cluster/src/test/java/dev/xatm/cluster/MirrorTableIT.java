package dev.xatm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.cluster.internal.LeaseTable;
import dev.xatm.cluster.internal.MirrorTable;
import dev.xatm.testkit.SharedDatabases;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.LeaseClaim;
import dev.xatm.tm.cluster.MirrorException;
import dev.xatm.tm.cluster.MirrorRow;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decision mirror's SQL against the real PostgreSQL (docs/cluster.md, "Decision mirror"): every
 * write is under the writer's lease epoch or not at all, a settle tombstones for good, a pass reads
 * only what was written before its epoch, and a finished takeover drops and releases only while it
 * still holds the lease.
 */
class MirrorTableIT {
  private static final long LOG = 0x1234L;

  @BeforeAll
  static void database() throws Exception {
    SharedDatabases.recreatePostgresDatabase(LeaseIT.DB);
  }

  private final ClusterConfig config = LeaseIT.config("3s", "500ms", "1s");
  private final String node = "m-" + UUID.randomUUID().toString().substring(0, 8);

  private long acquire(LeaseTable t) throws Exception {
    t.ensureSchema();
    return t.tryAcquire(new LeaseClaim(node, LOG, "test")).orElseThrow().epoch();
  }

  /** What a takeover does to the row: the epoch moves on. */
  private void bumpEpoch() throws Exception {
    try (Connection c = DriverManager.getConnection(SharedDatabases.postgresUrl(LeaseIT.DB));
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "update xatm_node_lease set epoch = epoch + 1, expires_at = now() + interval '1 minute'"
              + " where node_id = '"
              + node
              + "'");
    }
  }

  private long rowsOfLog() throws Exception {
    try (Connection c = DriverManager.getConnection(SharedDatabases.postgresUrl(LeaseIT.DB));
        Statement s = c.createStatement();
        java.sql.ResultSet r =
            s.executeQuery("select count(*) from xatm_mirror where node_id = '" + node + "'")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static byte[] key(int n) {
    return new byte[] {1, 2, (byte) n};
  }

  @Test
  void aDecisionIsWrittenUnderTheHoldersEpochOrNotAtAll() throws Exception {
    try (LeaseTable t = new LeaseTable(config)) {
      long epoch = acquire(t);
      try (MirrorTable m = new MirrorTable(config, node, LOG, epoch)) {
        assertTrue(m.decide(key(1), new byte[] {42}));
        assertFalse(m.decide(key(1), new byte[] {43}), "a gtrid is decided once");
        bumpEpoch();
        assertFalse(m.decide(key(2), new byte[] {44}), "refused under a stale epoch");
        MirrorException e =
            assertThrows(
                MirrorException.class, () -> m.put(MirrorRow.resource("r", new byte[] {1})));
        assertTrue(e.getMessage().contains("no longer the lease's"), e.getMessage());
      }
      try (MirrorTable peer = new MirrorTable(config, node, LOG, epoch + 1)) {
        List<MirrorRow> rows = peer.rows();
        assertEquals(1, rows.size(), "the peer sees the decision written before its epoch");
        assertEquals(42, rows.get(0).record()[0]);
      }
    }
  }

  @Test
  void concurrentDecisionsAreAllAnsweredAndBatched() throws Exception {
    try (LeaseTable t = new LeaseTable(config)) {
      long epoch = acquire(t);
      try (MirrorTable m = new MirrorTable(config, node, LOG, epoch)) {
        int threads = 16;
        int each = 40;
        java.util.concurrent.ExecutorService pool =
            java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
          List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
          for (int i = 0; i < threads; i++) {
            int thread = i;
            done.add(
                pool.submit(
                    () -> {
                      int ok = 0;
                      for (int j = 0; j < each; j++) {
                        byte[] k = {9, (byte) thread, (byte) j};
                        ok += m.decide(k, new byte[] {(byte) j}) ? 1 : 0;
                      }
                      return ok;
                    }));
          }
          int ok = 0;
          for (java.util.concurrent.Future<Integer> f : done) {
            ok += f.get(60, java.util.concurrent.TimeUnit.SECONDS);
          }
          assertEquals(threads * each, ok, "every decision answered as recorded");
        } finally {
          pool.shutdownNow();
        }
      }
      assertEquals(16 * 40, rowsOfLog());
    }
  }

  @Test
  void aSettledDecisionIsFinalAndATakenOverOneIsNeverSettledByItsOldHolder() throws Exception {
    try (LeaseTable t = new LeaseTable(config)) {
      long epoch = acquire(t);
      try (MirrorTable m = new MirrorTable(config, node, LOG, epoch)) {
        assertTrue(m.decide(key(1), new byte[] {1}));
        assertTrue(m.settle(key(1)), "decided before the settle: decided");
        assertFalse(m.settle(key(2)), "absent: tombstoned");
        assertFalse(m.decide(key(2), new byte[] {2}), "a late decision loses to the tombstone");
        bumpEpoch();
        MirrorException e = assertThrows(MirrorException.class, () -> m.settle(key(3)));
        assertTrue(e.getMessage().contains("the peer's to settle"), e.getMessage());
        assertTrue(m.settle(key(1)), "what is recorded still reads back");
      }
    }
  }

  @Test
  void aPassReadsOnlyWhatWasWrittenBeforeItsEpochAndFinishesOnlyWhileHeld() throws Exception {
    try (LeaseTable t = new LeaseTable(config)) {
      long epoch = acquire(t);
      try (MirrorTable dead = new MirrorTable(config, node, LOG, epoch)) {
        dead.put(MirrorRow.start(1, 7, new byte[] {1}));
      }
      bumpEpoch(); // the peer's takeover: epoch + 1
      long peer = epoch + 1;
      bumpEpoch(); // its hold lapsed and the node came back: epoch + 2
      try (MirrorTable back = new MirrorTable(config, node, LOG, epoch + 2)) {
        back.put(MirrorRow.start(2, 8, new byte[] {2}));
        try (MirrorTable pass = new MirrorTable(config, node, LOG, peer)) {
          List<MirrorRow> rows = pass.rows();
          assertEquals(1, rows.size(), "the later holder's start is not the dead node's");
          assertEquals(1, rows.get(0).record()[0]);
        }
        assertFalse(t.finishLog(node, LOG, peer, true), "no longer held at the peer's epoch");
        assertEquals(2, rowsOfLog(), "nothing was dropped: the live holder's start is there");
        assertTrue(t.finishLog(node, LOG, epoch + 2, false));
        assertEquals(0, rowsOfLog(), "dropped while held");
      }
    }
  }
}
