package dev.xatm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.cluster.internal.LeaseTable;
import dev.xatm.testkit.SharedDatabases;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.LeaseClaim;
import dev.xatm.tm.cluster.NodeLease;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Leases against the real PostgreSQL: who may hold a node id, and when (docs/cluster.md). */
class LeaseIT {
  static final String DB = "xatm_cluster_it";

  @BeforeAll
  static void database() throws Exception {
    SharedDatabases.recreatePostgresDatabase(DB);
  }

  static ClusterConfig config(String lease, String renew, String margin) {
    return ClusterConfig.parse(
            Map.of(
                "xatm.cluster.url", SharedDatabases.postgresUrl(DB),
                "xatm.cluster.lease-duration", lease,
                "xatm.cluster.renew-interval", renew,
                "xatm.cluster.fence-margin", margin),
            Map.of())
        .orElseThrow();
  }

  private static String node() {
    return "n-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private final PostgresNodeLeases leases = new PostgresNodeLeases();
  private final ClusterConfig config = config("3s", "500ms", "1s");

  @Test
  void aSecondProcessOnAnotherLogIsRefusedNamingTheHolderUntilTheFirstReleases() {
    String node = node();
    NodeLease first =
        leases.acquire(config, new LeaseClaim(node, 11, "host-a pid 1"), Clock.systemUTC());
    try {
      assertEquals(1, first.epoch());
      assertTrue(first.mayDecide());
      XatmStartupException refused =
          assertThrows(
              XatmStartupException.class,
              () ->
                  leases.acquire(
                      config, new LeaseClaim(node, 22, "host-b pid 2"), Clock.systemUTC()));
      assertTrue(refused.getMessage().contains("host-a pid 1"), refused.getMessage());
      assertTrue(refused.getMessage().contains("another process is running with this node id"));
      assertTrue(refused.getMessage().contains("xatm.node-id"), refused.getMessage());
    } finally {
      first.close();
    }
    long started = System.nanoTime();
    NodeLease second =
        leases.acquire(config, new LeaseClaim(node, 22, "host-b pid 2"), Clock.systemUTC());
    try {
      assertEquals(2, second.epoch(), "every acquisition moves the epoch on");
      assertTrue(System.nanoTime() - started < 2_000_000_000L, "a released lease is free at once");
    } finally {
      second.close();
    }
  }

  @Test
  void aLeaseLeftByAPreviousRunOnTheSameLogIsWaitedForThenTaken() throws Exception {
    String node = node();
    LeaseTable table = new LeaseTable(config);
    table.ensureSchema();
    // A run that died without releasing: the row is held, nobody renews it.
    long epoch = table.tryAcquire(new LeaseClaim(node, 33, "host-a pid 3")).orElseThrow().epoch();
    table.close();
    long started = System.nanoTime();
    NodeLease next =
        leases.acquire(config, new LeaseClaim(node, 33, "host-a pid 4"), Clock.systemUTC());
    long waitedMs = (System.nanoTime() - started) / 1_000_000;
    try {
      assertEquals(epoch + 1, next.epoch());
      assertTrue(waitedMs >= 2_000, "it waited for the expiry: " + waitedMs + " ms");
      assertTrue(waitedMs < 3_000 + 500 + 1_500, "and not longer than the lease: " + waitedMs);
    } finally {
      next.close();
    }
  }

  @Test
  void renewalKeepsTheLeasePastItsDuration() throws Exception {
    String node = node();
    NodeLease lease =
        leases.acquire(config, new LeaseClaim(node, 44, "host-a pid 5"), Clock.systemUTC());
    try {
      Thread.sleep(4_500); // longer than the 3 s lease: only renewals keep it
      assertTrue(lease.mayDecide(), lease.fencedBecause());
      assertThrows(
          XatmStartupException.class,
          () ->
              leases.acquire(config, new LeaseClaim(node, 55, "host-b pid 6"), Clock.systemUTC()));
    } finally {
      lease.close();
    }
  }

  @Test
  void aTakeoverIsNoticedAtTheNextRenewalAndTheLeaseIsLostForGood() throws Exception {
    String node = node();
    NodeLease lease =
        leases.acquire(config, new LeaseClaim(node, 66, "host-a pid 7"), Clock.systemUTC());
    AtomicReference<String> lost = new AtomicReference<>();
    lease.onLost(lost::set);
    try (Connection c = DriverManager.getConnection(SharedDatabases.postgresUrl(DB));
        Statement s = c.createStatement()) {
      // What a peer's takeover does once the lease expired: a new epoch, another holder.
      s.executeUpdate(
          "update xatm_node_lease set epoch = epoch + 1, holder = 'peer pid 8', log_id = 77"
              + " where node_id = '"
              + node
              + "'");
    }
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (lost.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    try {
      assertTrue(lost.get() != null, "the renewal found the row taken");
      assertTrue(lost.get().contains("peer pid 8"), lost.get());
      assertFalse(lease.mayDecide());
      assertTrue(lease.fencedBecause().contains("no longer this process's"), lease.fencedBecause());
    } finally {
      lease.close();
    }
    try (Connection c = DriverManager.getConnection(SharedDatabases.postgresUrl(DB));
        Statement s = c.createStatement();
        var r =
            s.executeQuery(
                "select holder, released from xatm_node_lease where node_id = '" + node + "'")) {
      assertTrue(r.next());
      assertEquals(
          "peer pid 8", r.getString(1), "closing a lost lease leaves the new holder's row");
      assertFalse(r.getBoolean(2));
    }
  }

  @Test
  void anUnreachableTableFailsTheStartNamingTheUrlWithoutThePassword() {
    ClusterConfig bad =
        ClusterConfig.parse(
                Map.of(
                    "xatm.cluster.url", "jdbc:postgresql://127.0.0.1:1/nodb",
                    "xatm.cluster.user", "app",
                    "xatm.cluster.password", "s3cret-pw",
                    "xatm.cluster.renew-interval", "1s",
                    "xatm.cluster.lease-duration", "5s",
                    "xatm.cluster.fence-margin", "2s"),
                Map.of())
            .orElseThrow();
    XatmStartupException e =
        assertThrows(
            XatmStartupException.class,
            () -> leases.acquire(bad, new LeaseClaim(node(), 1, "h"), Clock.systemUTC()));
    assertTrue(e.getMessage().contains("jdbc:postgresql://127.0.0.1:1/nodb"), e.getMessage());
    assertTrue(e.getMessage().contains("xatm.cluster.url"), e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains("s3cret-pw"), "secret in " + t);
    }
    assertFalse(bad.toString().contains("s3cret-pw"));
  }
}
