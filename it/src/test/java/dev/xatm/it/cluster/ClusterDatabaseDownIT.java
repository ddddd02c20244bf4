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
import dev.xatm.it.crash.WorkloadProcess;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.testkit.LocalPostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster database gone for longer than a lease (docs/cluster.md, "Fence"), with real
 * processes: three TMs n1, n2, n3 share a cluster database on a private PostgreSQL server and two
 * PostgreSQL banks on the shared one. The private server is stopped with an immediate shutdown (a
 * crash) for longer than the lease duration plus the fence margin while the nodes keep trying
 * transfers. Every commit tried while a node is fenced is refused (no decision: on neither bank);
 * no node takes another over, then or when the database is back (every lease keeps its epoch and
 * nobody's name); every node decides again once the database is back; the money invariant holds.
 */
class ClusterDatabaseDownIT {
  /** Below the ephemeral port range; cluster's own ClusterTmIT uses 29442. */
  static final int PRIVATE_PORT = 29452;

  private static final String CLUSTER_DB = "xatm_it_cdown";
  private static final String[] NODES = {"n1", "n2", "n3"};
  private static final int THREADS = 2;

  @TempDir Path dir;

  @Test
  void noDecisionAndNoTakeoverWhileTheClusterDatabaseIsDown() throws Exception {
    Bank bank = Bank.on(Bank.Pair.PG_PG, PostgresServer.shared(), "xatm_it_cdown").recreate();
    bank.reset();
    LocalPostgresCluster pg =
        LocalPostgresCluster.builder(
                Path.of("target", "pg-it-cluster-down").toAbsolutePath(), PRIVATE_PORT)
            .build();
    pg.start();
    pg.stopOnExit();
    try (Connection c = DriverManager.getConnection(pg.adminUrl());
        Statement s = c.createStatement()) {
      s.execute("drop database if exists " + CLUSTER_DB + " with (force)");
      s.execute("create database " + CLUSTER_DB);
    }
    String clusterUrl =
        "jdbc:postgresql://127.0.0.1:" + PRIVATE_PORT + "/" + CLUSTER_DB + "?user=postgres";
    Path hold = dir.resolve("hold");
    List<WorkloadProcess> nodes = new ArrayList<>();
    List<Path> stops = new ArrayList<>();
    try {
      for (int i = 0; i < NODES.length; i++) {
        Path stop = dir.resolve(NODES[i] + ".stop");
        stops.add(stop);
        nodes.add(
            ClusterRig.start(
                "ClusterDatabaseDownIT-" + NODES[i],
                bank,
                clusterUrl,
                NODES[i],
                dir.resolve(NODES[i]),
                stop,
                Map.of(
                    "seed",
                    Integer.toString(i + 1),
                    "threads",
                    Integer.toString(THREADS),
                    "hold",
                    hold.toString(),
                    "pause",
                    "50")));
      }
      for (WorkloadProcess p : nodes) {
        ClusterRig.awaitReady(p);
        p.awaitLines(ClusterRig.acks(), 3, 60_000);
      }
      long[] epochs = new long[NODES.length];
      for (int i = 0; i < NODES.length; i++) {
        epochs[i] = ClusterRig.lease(clusterUrl, NODES[i]).orElseThrow().epoch();
      }

      // Nothing in flight at the crash, so that every later commit meets the fence (a commit
      // whose mirror write finds the database gone has an unknown outcome instead, and its
      // prepared rows would block the others until the database is back).
      Files.createFile(hold);
      for (WorkloadProcess p : nodes) {
        p.awaitLines(l -> l.startsWith("IDLE "), THREADS, 30_000);
      }
      pg.stop("immediate");
      long down = System.nanoTime();
      // Fenced once lease-duration - fence-margin passed since the last renewal began.
      sleepUntil(down, ClusterRig.LEASE_MS - ClusterRig.MARGIN_MS + 500);
      int[] fencedFrom = new int[NODES.length];
      long[] acksBefore = new long[NODES.length];
      for (int i = 0; i < NODES.length; i++) {
        fencedFrom[i] = nodes.get(i).lines().size();
        acksBefore[i] = nodes.get(i).count(ClusterRig.acks());
      }
      Files.delete(hold);
      // Down for longer than the lease and the margin: every lease is expired for the database
      // when it is back, and still nobody may take anybody over.
      sleepUntil(down, ClusterRig.LEASE_MS + ClusterRig.MARGIN_MS + 1_500);
      int[] fencedTo = new int[NODES.length];
      for (int i = 0; i < NODES.length; i++) {
        fencedTo[i] = nodes.get(i).lines().size();
        assertEquals(
            acksBefore[i],
            nodes.get(i).count(ClusterRig.acks()),
            NODES[i] + " acknowledged a commit while fenced");
      }
      pg.start();
      long downMs = (System.nanoTime() - down) / 1_000_000;
      System.out.println("cluster database down for " + downMs + " ms");

      for (int i = 0; i < NODES.length; i++) {
        List<String> window = nodes.get(i).lines().subList(fencedFrom[i], fencedTo[i]);
        long refused =
            window.stream()
                .filter(l -> l.startsWith("FAIL ") && l.contains("could not be renewed"))
                .count();
        long begun = window.stream().filter(l -> l.startsWith("BEGIN ")).count();
        System.out.printf(
            "%s while fenced: %d begun, %d refused by the fence%n", NODES[i], begun, refused);
        assertTrue(refused >= 1, NODES[i] + " tried no commit while fenced: " + window);
        for (String l : window) {
          assertFalse(l.startsWith("ACK "), NODES[i] + " decided while fenced: " + l);
        }
      }
      // Back: every node decides again, on its own lease.
      for (int i = 0; i < NODES.length; i++) {
        long acks = nodes.get(i).count(ClusterRig.acks());
        nodes.get(i).awaitLines(ClusterRig.acks(), acks + 3, 30_000);
      }
      Thread.sleep(2 * ClusterRig.RENEW_MS); // a peer watch round after the last renewal
      for (int i = 0; i < NODES.length; i++) {
        LeaseRow r = ClusterRig.lease(clusterUrl, NODES[i]).orElseThrow();
        assertEquals(epochs[i], r.epoch(), NODES[i] + "'s lease was taken over: " + r);
        assertNull(r.takenOverBy(), NODES[i] + "'s lease was taken over: " + r);
        assertFalse(r.released(), NODES[i] + ": " + r);
      }
      for (int i = 0; i < NODES.length; i++) {
        ClusterRig.stop(nodes.get(i), stops.get(i));
      }
      List<Invariants.NodeRun> runs = new ArrayList<>();
      for (int i = 0; i < NODES.length; i++) {
        runs.add(
            new Invariants.NodeRun(
                NODES[i], nodes.get(i).transcript(), CrashLog.read(dir.resolve(NODES[i]))));
      }
      CrashRig.assertInvariants(bank, runs);
      ClusterRig.assertNothingPrepared(bank);
    } finally {
      for (WorkloadProcess p : nodes) {
        p.close();
      }
      if (pg.isUp()) {
        pg.stop("fast");
      }
    }
  }

  private static void sleepUntil(long startNanos, long afterMs) throws InterruptedException {
    long left = afterMs - (System.nanoTime() - startNanos) / 1_000_000;
    if (left > 0) {
      Thread.sleep(left);
    }
  }
}
