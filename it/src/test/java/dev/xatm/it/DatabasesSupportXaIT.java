package dev.xatm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.support.MariaDbServer;
import dev.xatm.it.support.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * The ground the other integration tests stand on: both real servers prepare an XA branch that
 * survives the session, list it in recover() and roll it back; PostgreSQL keeps it across an
 * immediate shutdown of a private cluster.
 */
class DatabasesSupportXaIT {

  private record TestXid(int getFormatId, byte[] getGlobalTransactionId, byte[] getBranchQualifier)
      implements Xid {
    static TestXid of(String gtrid) {
      return new TestXid(0x7e57, gtrid.getBytes(StandardCharsets.US_ASCII), new byte[] {1});
    }
  }

  @Test
  void postgresPreparesRecoversAndRollsBack() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    pg.recreateDatabase("xatm_fixture");
    PGXADataSource ds = new PGXADataSource();
    ds.setUrl(pg.url("xatm_fixture"));
    TestXid xid = TestXid.of("fixture-pg-" + System.nanoTime());

    prepareInsert(ds.getXAConnection(), xid, "create table if not exists t(v int)");

    XAConnection again = ds.getXAConnection();
    try {
      assertTrue(contains(again.getXAResource(), xid), "prepared Xid listed by recover()");
      again.getXAResource().rollback(xid);
      assertTrue(!contains(again.getXAResource(), xid), "rolled back Xid no longer listed");
    } finally {
      again.close();
    }
  }

  @Test
  void mariadbPreparesRecoversAndRollsBack() throws Exception {
    MariaDbServer db = MariaDbServer.shared();
    db.recreateDatabase("xatm_fixture");
    try (Connection c = DriverManager.getConnection(db.url("xatm_fixture"));
        Statement s = c.createStatement()) {
      s.execute("create table t(v int) engine=InnoDB");
    }
    MariaDbDataSource ds = new MariaDbDataSource(db.url("xatm_fixture"));
    TestXid xid = TestXid.of("fixture-mdb-" + System.nanoTime());

    prepareInsert(ds.getXAConnection(), xid, null);

    XAConnection again = ds.getXAConnection();
    try {
      assertTrue(contains(again.getXAResource(), xid), "prepared Xid listed by XA RECOVER");
      again.getXAResource().rollback(xid);
      assertTrue(!contains(again.getXAResource(), xid), "rolled back Xid no longer listed");
    } finally {
      again.close();
    }
  }

  @Test
  void privatePostgresKeepsPreparedBranchAcrossImmediateShutdown() throws Exception {
    PostgresServer pg = PostgresServer.privateCluster();
    pg.recreateDatabase("xatm_crash");
    PGXADataSource ds = new PGXADataSource();
    ds.setUrl(pg.url("xatm_crash"));
    TestXid xid = TestXid.of("fixture-crash-" + System.nanoTime());
    prepareInsert(ds.getXAConnection(), xid, "create table if not exists t(v int)");

    pg.stopImmediately();
    pg.start();

    XAConnection again = ds.getXAConnection();
    try {
      assertTrue(contains(again.getXAResource(), xid), "prepared branch survived the crash");
      again.getXAResource().commit(xid, false);
    } finally {
      again.close();
    }
    try (Connection c = DriverManager.getConnection(pg.url("xatm_crash"));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from t")) {
      rs.next();
      assertEquals(1, rs.getInt(1), "the committed insert is visible");
    }
  }

  private static void prepareInsert(XAConnection xa, Xid xid, String ddl) throws Exception {
    try {
      if (ddl != null) {
        try (Statement s = xa.getConnection().createStatement()) {
          s.execute(ddl);
        }
      }
      XAResource r = xa.getXAResource();
      r.start(xid, XAResource.TMNOFLAGS);
      try (Statement s = xa.getConnection().createStatement()) {
        s.executeUpdate("insert into t values (1)");
      }
      r.end(xid, XAResource.TMSUCCESS);
      assertEquals(XAResource.XA_OK, r.prepare(xid));
    } finally {
      xa.close();
    }
  }

  private static boolean contains(XAResource r, Xid xid) throws Exception {
    List<Xid> found = new ArrayList<>();
    Xid[] batch = r.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
    if (batch != null) {
      found.addAll(Arrays.asList(batch));
    }
    return found.stream()
        .anyMatch(
            x ->
                x.getFormatId() == xid.getFormatId()
                    && Arrays.equals(x.getGlobalTransactionId(), xid.getGlobalTransactionId())
                    && Arrays.equals(x.getBranchQualifier(), xid.getBranchQualifier()));
  }
}
