package dev.xatm.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.cluster.ClusterRig.LeaseRow;
import dev.xatm.it.crash.Bank;
import dev.xatm.it.crash.CrashLog;
import dev.xatm.it.crash.CrashRig;
import dev.xatm.it.crash.Invariants;
import dev.xatm.it.crash.Transcript;
import dev.xatm.it.crash.WorkloadProcess;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.LogState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 with real processes (docs/cluster.md, "Takeover"): three TMs n1, n2, n3 in the cluster
 * mode share the cluster database and two PostgreSQL banks and move money under 2PC. n3 is
 * SIGKILLed at a failpoint of its commit and not restarted: one of n1/n2 must take its lease over,
 * finish its in-doubt transaction as the mirror says (commit a decision, presume abort the rest) on
 * both banks, and release the lease. n3 then starts again on its old log at once, changes nothing
 * of what the peer did, and runs new transfers.
 */
class PeerTakeoverIT {
  private static final String CLUSTER_DB = "xatm_it_cluster";
  private static PostgresServer pg;
  private static Bank bank;

  @TempDir Path dir;
  private String clusterUrl;

  @BeforeAll
  static void banks() throws Exception {
    pg = PostgresServer.shared();
    bank = Bank.on(Bank.Pair.PG_PG, pg, "xatm_it_cluster").recreate();
  }

  @BeforeEach
  void fresh() throws Exception {
    bank.reset();
    pg.recreateDatabase(CLUSTER_DB);
    clusterUrl = pg.url(CLUSTER_DB);
  }

  /** Killed with its decision durable (mirror and local log), before any commit: committed. */
  @Test
  void aDecisionOfAKilledNodeIsCommittedByAPeer() throws Exception {
    killAndTakeOver(Failpoint.AFTER_COMMITTING_DURABLE, true);
  }

  /** Killed with both branches prepared and no decision anywhere: presumed abort. */
  @Test
  void anUndecidedTransactionOfAKilledNodeIsRolledBackByAPeer() throws Exception {
    killAndTakeOver(Failpoint.BEFORE_COMMITTING_DURABLE, false);
  }

  /**
   * Killed after the mirror's commit (the decision point) and before the local force: only the
   * cluster database knows the decision, and the peer must carry it out.
   */
  @Test
  void aDecisionOnlyInTheMirrorIsCommittedByAPeer() throws Exception {
    killAndTakeOver(Failpoint.AFTER_MIRROR_DECISION, true);
  }

  private void killAndTakeOver(Failpoint point, boolean decided) throws Exception {
    List<Invariants.NodeRun> runs = new ArrayList<>();
    Path[] logs = {dir.resolve("n1"), dir.resolve("n2"), dir.resolve("n3")};
    Path[] stops = {dir.resolve("n1.stop"), dir.resolve("n2.stop"), dir.resolve("n3.stop")};
    String tag = getClass().getSimpleName() + "-" + point;
    try (WorkloadProcess n1 = start(tag + "-n1", "n1", logs[0], stops[0], Map.of("seed", "1"));
        WorkloadProcess n2 = start(tag + "-n2", "n2", logs[1], stops[1], Map.of("seed", "2"));
        WorkloadProcess n3 =
            start(
                tag + "-n3",
                "n3",
                logs[2],
                stops[2],
                Map.of("seed", "3", "threads", "1", "failpoint", point.name()))) {
      for (WorkloadProcess p : List.of(n1, n2, n3)) {
        ClusterRig.awaitReady(p);
      }
      n3.awaitLines(l -> l.startsWith("HALT "), 1, 60_000);
      n3.kill(); // SIGKILL, exactly at the failpoint: nothing of n3 runs any more
      long killedAt = System.nanoTime();

      Transcript t3 = n3.transcript();
      Gtrid g = t3.halt().orElseThrow().gtrid();
      String id = ClusterRig.transferOf(t3, g);
      LogState log3 = CrashLog.read(logs[2]);
      Set<Gtrid> mirrored = ClusterRig.mirrorDecisions(clusterUrl, "n3");
      LeaseRow before = ClusterRig.lease(clusterUrl, "n3").orElseThrow();
      System.out.printf(
          "%s: n3 killed at %s of %s (%s); local Committing=%s, mirrored=%s; lease %s%n",
          tag, point, g, id, log3.loggedOutcome(g).isPresent(), mirrored.contains(g), before);
      // The crash is where the test means it to be.
      assertEquals(point == Failpoint.AFTER_COMMITTING_DURABLE, log3.loggedOutcome(g).isPresent());
      assertEquals(decided, mirrored.contains(g), "the mirror holds the decision iff it was made");
      assertEquals(2, ClusterRig.prepared(bank, "n3").size(), "both branches are in doubt");
      assertFalse(before.released());
      assertNull(before.takenOverBy());

      // Not restarted: a peer takes the lease over once it expired by more than the margin, and
      // releases it when nothing of n3 is left in doubt.
      LeaseRow after =
          ClusterRig.awaitLease(
              clusterUrl,
              "n3",
              r -> r.released() && r.takenOverBy() != null,
              ClusterRig.LEASE_MS + ClusterRig.MARGIN_MS + 10 * ClusterRig.RENEW_MS);
      long tookMs = (System.nanoTime() - killedAt) / 1_000_000;
      System.out.printf(
          "%s: n3 taken over and released %d ms after the kill: %s%n", tag, tookMs, after);
      assertEquals(before.epoch() + 1, after.epoch(), "one takeover, one epoch");
      assertTrue(
          after.takenOverBy().startsWith("n1 ") || after.takenOverBy().startsWith("n2 "),
          after.takenOverBy());
      assertTrue(
          ClusterRig.prepared(bank, "n3").isEmpty(),
          () -> "n3's branches still prepared: " + safePrepared());
      assertEquals(0, ClusterRig.mirrorRows(clusterUrl, "n3"), "the peer dropped n3's mirror");
      boolean[] where = ClusterRig.where(bank, id);
      assertEquals(decided, where[0], "side A of " + id);
      assertEquals(decided, where[1], "side B of " + id);

      // n3 again, on its old log: the lease is free, so it starts without waiting; its own
      // recovery finds nothing to undo or redo, and it decides again.
      try (WorkloadProcess n3b =
          start(tag + "-n3-again", "n3", logs[2], stops[2], Map.of("seed", "33"))) {
        ClusterRig.awaitReady(n3b);
        n3b.awaitLines(ClusterRig.acks(), 5, 60_000);
        boolean[] still = ClusterRig.where(bank, id);
        assertEquals(decided, still[0], "side A of " + id + " after n3's restart");
        assertEquals(decided, still[1], "side B of " + id + " after n3's restart");
        LeaseRow again = ClusterRig.lease(clusterUrl, "n3").orElseThrow();
        assertEquals(after.epoch() + 1, again.epoch());
        assertFalse(again.released());
        n1.awaitLines(ClusterRig.acks(), 3, 30_000);
        n2.awaitLines(ClusterRig.acks(), 3, 30_000);
        ClusterRig.stop(n1, stops[0]);
        ClusterRig.stop(n2, stops[1]);
        ClusterRig.stop(n3b, stops[2]);
        assertFalse(
            ClusterRig.stderr(n3b).contains("is still leased by"),
            "the restarted n3 waited for a lease the peer had released");
        runs.add(new Invariants.NodeRun("n1", n1.transcript(), CrashLog.read(logs[0])));
        runs.add(new Invariants.NodeRun("n2", n2.transcript(), CrashLog.read(logs[1])));
        // n3's first run: decided = what its log or the mirror held at the kill.
        runs.add(
            new Invariants.NodeRun(
                "n3", t3, x -> log3.loggedOutcome(x).isPresent() || mirrored.contains(x)));
        runs.add(new Invariants.NodeRun("n3", n3b.transcript(), CrashLog.read(logs[2])));
      }
    }
    Invariants.Summary s = CrashRig.assertInvariants(bank, runs);
    assertTrue(s.committed() > 10, "the nodes did work: " + s);
    ClusterRig.assertNothingPrepared(bank);
  }

  private String safePrepared() {
    try {
      return ClusterRig.prepared(bank, "n3").toString();
    } catch (Exception e) {
      return e.toString();
    }
  }

  private WorkloadProcess start(
      String name, String node, Path log, Path stop, Map<String, String> extra) throws Exception {
    return ClusterRig.start(name, bank, clusterUrl, node, log, stop, extra);
  }
}
