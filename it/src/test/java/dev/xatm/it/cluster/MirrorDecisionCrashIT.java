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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash between the mirror's commit (the decision point) and the local force of Committing
 * (docs/cluster.md, "Mirror"), with a real process and no peer: the node is SIGKILLed at {@link
 * Failpoint#AFTER_MIRROR_DECISION} and started again on its log. Its start must take the decision
 * from the mirror into the local log before recovery, so recovery commits both branches; without
 * that, recovery would presume abort and roll back a transaction the cluster database says is
 * decided. (The same crash with the node not restarted, finished by a peer: {@link
 * PeerTakeoverIT}.)
 */
class MirrorDecisionCrashIT {
  private static final String CLUSTER_DB = "xatm_it_mcrash";

  @TempDir Path dir;

  @Test
  void aRestartTakesTheDecisionFromTheMirrorAndRecoveryCommitsIt() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    Bank bank = Bank.on(Bank.Pair.PG_PG, pg, "xatm_it_mcrash").recreate();
    bank.reset();
    pg.recreateDatabase(CLUSTER_DB);
    String clusterUrl = pg.url(CLUSTER_DB);
    Path log = dir.resolve("m1");
    Path stop = dir.resolve("m1.stop");
    Transcript first;
    Gtrid g;
    String id;
    LogState atCrash;
    try (WorkloadProcess m1 =
        ClusterRig.start(
            "MirrorDecisionCrashIT-m1",
            bank,
            clusterUrl,
            "m1",
            log,
            stop,
            Map.of("threads", "1", "failpoint", Failpoint.AFTER_MIRROR_DECISION.name()))) {
      ClusterRig.awaitReady(m1);
      m1.awaitLines(l -> l.startsWith("HALT "), 1, 60_000);
      m1.kill();
      first = m1.transcript();
      g = first.halt().orElseThrow().gtrid();
      id = ClusterRig.transferOf(first, g);
      atCrash = CrashLog.read(log);
    }
    assertTrue(atCrash.loggedOutcome(g).isEmpty(), "the local log lacks the decision");
    assertTrue(ClusterRig.mirrorDecisions(clusterUrl, "m1").contains(g), "the mirror holds it");
    assertEquals(2, ClusterRig.prepared(bank, "m1").size(), "both branches in doubt");
    LeaseRow before = ClusterRig.lease(clusterUrl, "m1").orElseThrow();

    try (WorkloadProcess again =
        ClusterRig.start(
            "MirrorDecisionCrashIT-m1-again", bank, clusterUrl, "m1", log, stop, Map.of())) {
      // It waits for its own dead run's lease, then reconciles and recovers before READY.
      ClusterRig.awaitReady(again);
      boolean[] where = ClusterRig.where(bank, id);
      assertTrue(where[0] && where[1], "committed on both sides by the startup recovery");
      assertTrue(ClusterRig.prepared(bank, "m1").isEmpty(), "nothing left in doubt");
      assertTrue(
          ClusterRig.stderr(again).contains("taken from the cluster mirror"),
          "the decision came from the mirror at start");
      LeaseRow now = ClusterRig.lease(clusterUrl, "m1").orElseThrow();
      assertEquals(before.epoch() + 1, now.epoch(), "its own next lease, nobody else's");
      assertNull(now.takenOverBy());
      again.awaitLines(ClusterRig.acks(), 5, 60_000);
      ClusterRig.stop(again, stop);
      LogState end = CrashLog.read(log);
      assertTrue(end.loggedOutcome(g).isPresent(), "the local log holds the decision now");
      assertFalse(end.decided().containsKey(g), "and its End");
      CrashRig.assertInvariants(
          bank,
          List.of(
              new Invariants.NodeRun(
                  "m1", first, x -> x.equals(g) || atCrash.loggedOutcome(x).isPresent()),
              new Invariants.NodeRun("m1", again.transcript(), end)));
    }
    ClusterRig.assertNothingPrepared(bank);
  }
}
