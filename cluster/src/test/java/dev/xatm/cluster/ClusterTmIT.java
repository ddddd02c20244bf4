package dev.xatm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.testkit.LocalPostgresCluster;
import dev.xatm.testkit.SharedDatabases;
import dev.xatm.tm.XatmStartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TM in the cluster mode against real PostgreSQL servers (docs/cluster.md). */
class ClusterTmIT {
  /**
   * A private server this test stops and starts; the shared one is never touched that way. Its port
   * is below Linux's ephemeral range (32768-60999): a port in that range can be the local end of
   * any outgoing connection of this machine at the moment the server binds, and then it fails.
   */
  static final int PRIVATE_PORT = 29442;

  static final String PRIVATE_URL =
      "jdbc:postgresql://127.0.0.1:" + PRIVATE_PORT + "/postgres?user=postgres";

  @TempDir Path dir;

  /** A private server under {@code target/<name>}, started, stopped at exit at the latest. */
  private static LocalPostgresCluster privateServer(String name) throws Exception {
    LocalPostgresCluster pg =
        LocalPostgresCluster.builder(Path.of("target", name).toAbsolutePath(), PRIVATE_PORT)
            .build();
    pg.start();
    pg.stopOnExit();
    return pg;
  }

  @BeforeAll
  static void database() throws Exception {
    SharedDatabases.recreatePostgresDatabase(LeaseIT.DB);
  }

  private static String node() {
    return "tm-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static String url() {
    return SharedDatabases.postgresUrl(LeaseIT.DB);
  }

  @Test
  void aSecondTmWithTheNodeIdOnAnotherLogIsRefusedAndTheFirstGoesOn() throws Exception {
    String node = node();
    try (ClusterTm first = ClusterTm.start(dir.resolve("a"), node, url())) {
      XatmStartupException e =
          assertThrows(
              XatmStartupException.class, () -> ClusterTm.start(dir.resolve("b"), node, url()));
      assertTrue(e.getMessage().contains("node id '" + node + "' is held by"), e.getMessage());
      assertTrue(
          e.getMessage().contains("pid " + ProcessHandle.current().pid()),
          "names the holder: " + e.getMessage());
      assertNull(first.transfer());
      assertEquals(2, first.commits());
    }
    try (ClusterTm second = ClusterTm.start(dir.resolve("b"), node, url())) {
      assertNull(second.transfer(), "free at once after the first closed");
    }
  }

  @Test
  void nodesWithNewLogsTakeFreeIdsFromThePoolAndKeepThemAcrossRestarts() throws Exception {
    String prefix = "pool" + UUID.randomUUID().toString().substring(0, 6) + "-";
    String pool = prefix + "1.." + prefix + "2";
    String first;
    try (ClusterTm a = ClusterTm.startPooled(dir.resolve("a"), pool, url());
        ClusterTm b = ClusterTm.startPooled(dir.resolve("b"), pool, url())) {
      first = a.tm.nodeId();
      assertEquals(prefix + "1", first);
      assertEquals(prefix + "2", b.tm.nodeId());
      assertNull(a.transfer());
      assertNull(b.transfer());
      XatmStartupException full =
          assertThrows(
              XatmStartupException.class,
              () -> ClusterTm.startPooled(dir.resolve("c"), pool, url()));
      assertTrue(
          full.getMessage().contains("every node id of xatm.cluster.node-ids (2) is held"),
          full.getMessage());
      assertTrue(full.getMessage().contains(prefix + "1: "), "names the holders: " + full);
      assertTrue(!Files.exists(dir.resolve("c")), "no log was created for the refused one");
    }
    try (ClusterTm b = ClusterTm.startPooled(dir.resolve("b"), pool, url())) {
      assertEquals(prefix + "2", b.tm.nodeId(), "an existing log keeps its node id");
      try (ClusterTm c = ClusterTm.startPooled(dir.resolve("c"), pool, url())) {
        assertEquals(first, c.tm.nodeId(), "the first free id");
        assertNull(c.transfer());
      }
    }
  }

  @Test
  void aNodeThatClosesWithUnfinishedWorkLeavesItsLeaseToExpireForAPeer() throws Exception {
    String node = node();
    try (ClusterTm tm = ClusterTm.start(dir.resolve("a"), node, url())) {
      assertNull(tm.transfer());
    }
    assertTrue(released(node), "nothing unfinished: released at close");
    try (ClusterTm tm = ClusterTm.start(dir.resolve("a"), node, url())) {
      tm.failCommitsOnB();
      tm.transfer(); // decided; b's commit is retried in the background
    }
    assertTrue(!released(node), "decided and not finished: left to expire, for a peer");
  }

  @Test
  void aLeaseTakenAwayStopsTheTmForGood() throws Exception {
    String node = node();
    try (ClusterTm tm = ClusterTm.start(dir.resolve("a"), node, url())) {
      assertNull(tm.transfer());
      try (Connection c = DriverManager.getConnection(url());
          Statement s = c.createStatement()) {
        s.executeUpdate(
            "update xatm_node_lease set epoch = epoch + 1, holder = 'peer'"
                + " where node_id = '"
                + node
                + "'");
      }
      long deadline = System.nanoTime() + 3_000_000_000L;
      while (tm.tm.failStopCause() == null && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(tm.tm.failStopCause() != null, "the TM noticed at its next renewal");
      assertTrue(
          tm.tm.failStopCause().getMessage().contains("no longer this process's"),
          tm.tm.failStopCause().getMessage());
      String refused = tm.transfer();
      assertTrue(refused != null && refused.startsWith("refused"), "no decision: " + refused);
      assertEquals(2, tm.commits(), "only the first transfer committed");
    }
  }

  @Test
  void theDatabaseGoneFencesTheNodeAndItDecidesAgainOnceItIsBack() throws Exception {
    LocalPostgresCluster pg = privateServer("pg-cluster-lease");
    String node = node();
    try (ClusterTm tm = ClusterTm.start(dir.resolve("a"), node, PRIVATE_URL)) {
      assertNull(tm.transfer());
      long epochBefore = epoch(PRIVATE_URL, node);
      pg.stop("immediate");
      long down = System.nanoTime();
      // Still within lease - margin of the last renewal: decisions go on for up to 2 s.
      Thread.sleep(2_600);
      String refused = tm.transfer();
      assertTrue(refused != null && refused.contains("could not be renewed"), "fenced: " + refused);
      assertTrue(refused.contains("xatm.cluster.fence-margin"), refused);
      assertEquals(2, tm.commits(), "the fenced transfer sent no commit");
      assertTrue(tm.journal.count("a.rollback") >= 1, "its branches were rolled back");
      assertTrue(tm.tm.failStopCause() == null, "fenced, not stopped: " + tm.tm.failStopCause());
      pg.start();
      long upAfterMs = (System.nanoTime() - down) / 1_000_000;
      String again = "not tried";
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline && (again = tm.transfer()) != null) {
        Thread.sleep(200);
      }
      assertNull(again, "decides again once a renewal succeeded (down " + upAfterMs + " ms)");
      assertEquals(epochBefore, epoch(PRIVATE_URL, node), "nobody took the lease meanwhile");
    } finally {
      pg.stop("fast");
    }
  }

  @Test
  void aDecisionTheDatabaseDidNotAnswerStaysPreparedAndIsSettledOnceItIsBack() throws Exception {
    LocalPostgresCluster pg = privateServer("pg-cluster-unknown");
    String node = node();
    try (ClusterTm tm = ClusterTm.start(dir.resolve("a"), node, PRIVATE_URL)) {
      assertNull(tm.transfer());
      long rollbacksBefore = tm.journal.count("a.rollback");
      pg.stop("immediate");
      // Within the fence: the decision is attempted, and its write gets no answer.
      String unknown = tm.transfer();
      assertTrue(unknown != null && unknown.contains("is not known yet"), "unknown: " + unknown);
      assertEquals(2, tm.commits(), "no commit was sent");
      assertEquals(rollbacksBefore, tm.journal.count("a.rollback"), "nor a rollback: in doubt");
      assertTrue(tm.tm.failStopCause() == null, "not a log failure: " + tm.tm.failStopCause());
      pg.start();
      long deadline = System.nanoTime() + 15_000_000_000L;
      long tombstones = 0;
      while (System.nanoTime() < deadline && (tombstones = tombstones(PRIVATE_URL, node)) == 0) {
        Thread.sleep(200);
      }
      assertEquals(1, tombstones, "settled as not decided: it can never be decided later");
      String again = "not tried";
      deadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline && (again = tm.transfer()) != null) {
        Thread.sleep(200);
      }
      assertNull(again, "decides again once the database is back");
    } finally {
      pg.stop("fast");
    }
  }

  private static long tombstones(String url, String node) {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select count(*) from xatm_mirror where aborted and node_id = '" + node + "'")) {
      r.next();
      return r.getLong(1);
    } catch (java.sql.SQLException down) {
      return 0; // not back yet
    }
  }

  private static boolean released(String node) throws Exception {
    try (Connection c = DriverManager.getConnection(url());
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("select released from xatm_node_lease where node_id = '" + node + "'")) {
      assertTrue(r.next());
      return r.getBoolean(1);
    }
  }

  private static long epoch(String url, String node) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery("select epoch from xatm_node_lease where node_id = '" + node + "'")) {
      assertTrue(r.next());
      return r.getLong(1);
    }
  }
}
