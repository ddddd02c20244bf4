package dev.xatm.bench.e2e;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import jakarta.transaction.Status;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * xatm as an application uses it: {@code UserTransaction} demarcation and two pooled {@code
 * jdbc:xa:} DataSources (pool size = thread count); the connections enlist on first use and the TM
 * runs two-phase commit with its write-ahead log (fsync on) in {@code bench/target/e2e/xatm-log}.
 */
final class XatmContender implements Contender {
  private final BenchServer server;
  private final Path logDir;
  private final String clusterDb; // null: the cluster mode is off
  private XatmTransactionManager tm;
  private XatmDataSource a;
  private XatmDataSource b;

  XatmContender(BenchServer server, Path logDir) {
    this(server, logDir, null);
  }

  /**
   * @param clusterDb with the cluster mode on, the database of its lease table and decision mirror
   *     (on the same server); null for the cluster mode off
   */
  XatmContender(BenchServer server, Path logDir, String clusterDb) {
    this.server = server;
    this.logDir = logDir;
    this.clusterDb = clusterDb;
  }

  @Override
  public String name() {
    return clusterDb == null ? "xatm" : "xatm-mirror";
  }

  @Override
  public void open(int threads) throws SQLException {
    // Configured as an application would: both databases as recovery resources, so recovery can
    // reach them from the first (startup) pass. The user may have no password (trust
    // authentication); recovery then needs an explicit empty one (see docs/benchmarks-e2e.md).
    XatmConfig.Builder config =
        XatmConfig.builder()
            .nodeId(clusterDb == null ? "e2e-bench" : "e2e-mirror")
            .logDir(logDir)
            .installAsDefault(false);
    if (clusterDb != null) {
      // Every setting at its default but where the table is.
      config.cluster("xatm.cluster.url", server.url(clusterDb));
    }
    for (String db : new String[] {BankTables.DB_A, BankTables.DB_B}) {
      String prefix = XatmConfig.RECOVERY_PREFIX + "resource." + db + ".";
      config.recovery(prefix + "url", server.xaUrl(db));
      config.recovery(prefix + "user", server.user());
      config.recovery(prefix + "password", server.password());
    }
    tm = XatmTransactionManager.start(config.build());
    a = pool(BankTables.DB_A, threads);
    b = pool(BankTables.DB_B, threads);
  }

  private XatmDataSource pool(String db, int threads) throws SQLException {
    return XatmDataSource.builder()
        .url(server.xaUrl(db))
        .user(server.user())
        .password(server.password())
        .maxPoolSize(threads)
        .runtime(tm)
        .build();
  }

  @Override
  public void transfer(int thread, long sequence) throws Exception {
    int row = BankTables.row(thread, sequence);
    tm.begin();
    try {
      update(a, BankTables.DEBIT, row);
      update(b, BankTables.CREDIT, row);
    } catch (SQLException | RuntimeException e) {
      if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
        tm.rollback();
      }
      throw e;
    }
    tm.commit();
  }

  private static void update(XatmDataSource ds, String sql, int row) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, row);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("row " + row + " missing");
      }
    }
  }

  @Override
  public void close() throws Exception {
    a.close();
    b.close();
    tm.close();
  }
}
