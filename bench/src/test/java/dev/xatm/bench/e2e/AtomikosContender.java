package dev.xatm.bench.e2e;

import com.atomikos.icatch.jta.UserTransactionManager;
import com.atomikos.jdbc.AtomikosDataSourceBean;
import dev.xatm.bench.tm.AtomikosBench;
import jakarta.transaction.Status;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Atomikos 6 (transactions-jta and transactions-jdbc, Jakarta build) as an application uses it:
 * {@code UserTransactionManager} demarcation and two {@code AtomikosDataSourceBean} pools over
 * {@code PGXADataSource} (pool size = thread count), whose connections enlist themselves; its file
 * log (fsync on, Atomikos' default) in {@code bench/target/e2e/atomikos-log}. The settings changed
 * from Atomikos' defaults are those of {@link AtomikosBench#configure}. Its configuration is
 * JVM-global, so it is set once, before its first use.
 */
final class AtomikosContender implements Contender {
  private final BenchServer server;
  private final UserTransactionManager tm;
  private AtomikosDataSourceBean a;
  private AtomikosDataSourceBean b;
  private int opened;

  AtomikosContender(BenchServer server, Path logDir) throws Exception {
    this.server = server;
    java.nio.file.Files.createDirectories(logDir);
    AtomikosBench.configure(logDir.toString(), "e2e-atomikos");
    this.tm = new UserTransactionManager();
    tm.setForceShutdown(true);
    tm.init();
  }

  @Override
  public String name() {
    return "atomikos";
  }

  @Override
  public void open(int threads) throws SQLException {
    opened++;
    a = pool(BankTables.DB_A, threads);
    b = pool(BankTables.DB_B, threads);
  }

  private AtomikosDataSourceBean pool(String db, int threads) throws SQLException {
    AtomikosDataSourceBean ds = new AtomikosDataSourceBean();
    // A resource name may be registered once per JVM: one per open().
    ds.setUniqueResourceName(db + "-" + opened);
    ds.setXaDataSourceClassName("org.postgresql.xa.PGXADataSource");
    Properties p = new Properties();
    p.setProperty("url", server.url(db));
    ds.setXaProperties(p);
    ds.setMinPoolSize(1);
    ds.setMaxPoolSize(threads);
    ds.setBorrowConnectionTimeout(30);
    ds.init();
    return ds;
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

  private static void update(AtomikosDataSourceBean ds, String sql, int row) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, row);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("row " + row + " missing");
      }
    }
  }

  @Override
  public void close() {
    a.close();
    b.close();
  }
}
