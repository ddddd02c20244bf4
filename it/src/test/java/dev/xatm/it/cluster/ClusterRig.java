package dev.xatm.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.crash.Bank;
import dev.xatm.it.crash.WorkloadProcess;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What the cluster tests share: the child TMs ({@link ClusterWorkload}) with short leases, and
 * reads of the cluster database and the banks that go around the TM (plain JDBC).
 */
final class ClusterRig {
  /** Lease settings of every child: fast takeovers, and the start rules hold (1 ≤ (3-1)/2). */
  static final long LEASE_MS = 3_000;

  static final long RENEW_MS = 500;
  static final long MARGIN_MS = 1_000;

  private ClusterRig() {}

  /** One row of {@code xatm_node_lease}, as the database holds it. */
  record LeaseRow(long epoch, boolean released, String takenOverBy, boolean expired) {}

  /** A child TM of node {@code node} on {@code log}; it stops when {@code stop} appears. */
  static WorkloadProcess start(
      String name,
      Bank bank,
      String clusterUrl,
      String node,
      Path log,
      Path stop,
      Map<String, String> extra)
      throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("log", log.toString());
    a.put("node", node);
    a.put("stop", stop.toString());
    a.put("cluster.url", clusterUrl);
    a.put("xatm.cluster.lease-duration", LEASE_MS + "ms");
    a.put("xatm.cluster.renew-interval", RENEW_MS + "ms");
    a.put("xatm.cluster.fence-margin", MARGIN_MS + "ms");
    a.put("a.url", bank.a().xaUrl());
    a.put("a.user", bank.a().user());
    a.put("a.password", bank.a().password());
    a.put("b.url", bank.b().xaUrl());
    a.put("b.user", bank.b().user());
    a.put("b.password", bank.b().password());
    // A peer reaches the dead node's resources with its own recovery settings (docs/cluster.md).
    a.putAll(bank.recoveryProperties());
    a.put("xatm.recovery.interval", "1s");
    a.putAll(extra);
    return WorkloadProcess.start(name, ClusterWorkload.class, a);
  }

  static void awaitReady(WorkloadProcess p) throws InterruptedException {
    p.awaitLines(l -> l.startsWith("READY"), 1, 60_000);
  }

  static Predicate<String> acks() {
    return l -> l.startsWith("ACK ");
  }

  /** Creates the stop file and waits for a clean exit (the TM closed, its lease released). */
  static void stop(WorkloadProcess p, Path stop) throws Exception {
    if (!Files.exists(stop)) {
      Files.createFile(stop);
    }
    int status = p.awaitExit(60_000);
    assertEquals(0, status, () -> "the workload did not stop cleanly; " + p.tail());
    assertTrue(p.transcript().done(), () -> "no DONE; " + p.tail());
  }

  static Optional<LeaseRow> lease(String clusterUrl, String node) throws SQLException {
    try (Connection c = DriverManager.getConnection(clusterUrl);
        PreparedStatement s =
            c.prepareStatement(
                "select epoch, released, taken_over_by, expires_at < now()"
                    + " from xatm_node_lease where node_id = ?")) {
      s.setString(1, node);
      try (ResultSet r = s.executeQuery()) {
        return r.next()
            ? Optional.of(
                new LeaseRow(r.getLong(1), r.getBoolean(2), r.getString(3), r.getBoolean(4)))
            : Optional.empty();
      }
    }
  }

  /** Waits until {@code node}'s lease row satisfies {@code p}; returns the row. */
  static LeaseRow awaitLease(String clusterUrl, String node, Predicate<LeaseRow> p, long timeoutMs)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Optional<LeaseRow> row = Optional.empty();
    while (System.nanoTime() < deadline) {
      row = lease(clusterUrl, node);
      if (row.isPresent() && p.test(row.get())) {
        return row.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "the lease of "
            + node
            + " did not reach the awaited state in "
            + timeoutMs
            + " ms: "
            + row);
  }

  /** The gtrids of {@code node}'s decision rows in the mirror (not the aborted ones). */
  static Set<Gtrid> mirrorDecisions(String clusterUrl, String node) throws SQLException {
    Set<Gtrid> out = new HashSet<>();
    try (Connection c = DriverManager.getConnection(clusterUrl);
        PreparedStatement s =
            c.prepareStatement(
                "select key from xatm_mirror where node_id = ? and kind = 3 and not aborted")) {
      s.setString(1, node);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          byte[] key = r.getBytes(1);
          out.add(
              Gtrid.fromBytes(key)
                  .orElseThrow(
                      () ->
                          new AssertionError(
                              "not a gtrid: " + new String(key, StandardCharsets.ISO_8859_1))));
        }
      }
    }
    return out;
  }

  /** How many mirror rows of any kind {@code node} has. */
  static int mirrorRows(String clusterUrl, String node) throws SQLException {
    try (Connection c = DriverManager.getConnection(clusterUrl);
        PreparedStatement s =
            c.prepareStatement("select count(*) from xatm_mirror where node_id = ?")) {
      s.setString(1, node);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  /** The prepared branches of {@code node} in both banks (vendor XA recover). */
  static List<XatmXid> prepared(Bank bank, String node) throws SQLException {
    List<XatmXid> out = new ArrayList<>(bank.a().preparedOf(node));
    out.addAll(bank.b().preparedOf(node));
    return out;
  }

  /** Fails when either bank holds any prepared branch at all (the databases are the test's own). */
  static void assertNothingPrepared(Bank bank) throws SQLException {
    for (Bank.Side s : bank.sides()) {
      List<?> left = s.recoverAll();
      assertTrue(left.isEmpty(), () -> s + " still holds prepared branches: " + left);
    }
  }

  /** Whether transfer {@code id} is committed in A and in B. */
  static boolean[] where(Bank bank, String id) throws SQLException {
    return new boolean[] {
      bank.a().transfers().containsKey(id), bank.b().transfers().containsKey(id)
    };
  }

  /** The transfer id the workload began with {@code gtrid}. */
  static String transferOf(dev.xatm.it.crash.Transcript t, Gtrid gtrid) {
    return t.begun().entrySet().stream()
        .filter(e -> e.getValue().equals(gtrid))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no BEGIN for " + gtrid + " in " + t));
  }

  static String stderr(WorkloadProcess p) throws Exception {
    return Files.readString(p.stderrFile());
  }
}
