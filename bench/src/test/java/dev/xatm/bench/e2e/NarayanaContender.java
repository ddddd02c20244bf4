package dev.xatm.bench.e2e;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBeanException;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Narayana (narayana-jta, default ShadowNoFileLockStore object store in {@code
 * bench/target/e2e/narayana-store}, every other setting at its default) driving the same XA
 * connections as the raw-XA contender: begin, enlist A, update, enlist B, update, commit. Its
 * configuration is JVM-global, so it is set once, before its first use.
 */
final class NarayanaContender implements Contender {
  private final BenchServer server;
  private final TransactionManager tm;
  private XaConnections xa;

  NarayanaContender(BenchServer server, Path storeDir) throws CoreEnvironmentBeanException {
    this.server = server;
    arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("e2e-narayana");
    for (String name : new String[] {null, "communicationStore", "stateStore"}) {
      ObjectStoreEnvironmentBean os =
          name == null
              ? BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class)
              : BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name);
      os.setObjectStoreDir(storeDir.toString());
    }
    this.tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
  }

  String storeType() {
    return BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).getObjectStoreType();
  }

  @Override
  public String name() {
    return "narayana";
  }

  @Override
  public void open(int threads) throws SQLException {
    xa = new XaConnections(server, threads);
  }

  @Override
  public void transfer(int thread, long sequence) throws Exception {
    int row = BankTables.row(thread, sequence);
    tm.begin();
    try {
      Transaction tx = tm.getTransaction();
      tx.enlistResource(xa.resources[thread][0]);
      update(xa.connections[thread][0], BankTables.DEBIT, row);
      tx.enlistResource(xa.resources[thread][1]);
      update(xa.connections[thread][1], BankTables.CREDIT, row);
    } catch (Exception e) {
      if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
        tm.rollback();
      }
      throw e;
    }
    tm.commit();
  }

  private static void update(Connection c, String sql, int row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, row);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("row " + row + " missing");
      }
    }
  }

  @Override
  public void close() throws SQLException {
    xa.close();
  }
}
