package dev.xatm.it.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.support.MariaDbServer;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.jdbc.internal.VendorXaResource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * What the vendors really answer when the session holding a prepared branch is killed, and what the
 * driver makes of it: the branch is still prepared (a fresh connection commits it), so a failed
 * commit on the dead session must read as XAER_RMFAIL (outcome unknown: retry), never as the
 * XAER_RMERR ("rolled back") pgjdbc says or the error code 0 MariaDB Connector/J says.
 */
class VendorXaErrorsIT {

  private record TestXid(int getFormatId, byte[] getGlobalTransactionId, byte[] getBranchQualifier)
      implements Xid {
    static TestXid fresh(String prefix) {
      return new TestXid(
          0x7e57, (prefix + System.nanoTime()).getBytes(StandardCharsets.US_ASCII), new byte[] {1});
    }
  }

  @Test
  void postgresCommitOnAKilledSessionIsRmfailAndTheBranchSurvives() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    pg.recreateDatabase("xatm_vendor_errors");
    try (Connection c = DriverManager.getConnection(pg.url("xatm_vendor_errors"));
        Statement s = c.createStatement()) {
      s.execute("create table t(v int)");
    }
    PGXADataSource ds = new PGXADataSource();
    ds.setUrl(pg.url("xatm_vendor_errors"));
    killedAfterPrepare(
        ds,
        pg.url("xatm_vendor_errors"),
        "select pg_backend_pid()",
        "select pg_terminate_backend(");
  }

  @Test
  void mariadbCommitOnAKilledSessionIsRmfailAndTheBranchSurvives() throws Exception {
    MariaDbServer db = MariaDbServer.shared();
    db.recreateDatabase("xatm_vendor_errors");
    try (Connection c = DriverManager.getConnection(db.url("xatm_vendor_errors"));
        Statement s = c.createStatement()) {
      s.execute("create table t(v int) engine=InnoDB");
    }
    killedAfterPrepare(
        new MariaDbDataSource(db.url("xatm_vendor_errors")),
        db.url("xatm_vendor_errors"),
        "select connection_id()",
        "KILL ");
  }

  @Test
  void h2CommitOfAnUnknownXidIsNota(@TempDir Path dir) throws Exception {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:file:" + Files.createDirectories(dir).resolve("db"));
    XAConnection xa = ds.getXAConnection();
    try {
      XAResource r = VendorXaResource.wrap(xa.getXAResource());
      XAException e =
          assertThrows(XAException.class, () -> r.commit(TestXid.fresh("h2-unknown-"), false));
      assertEquals(XAException.XAER_NOTA, e.errorCode, e.getMessage());
    } finally {
      xa.close();
    }
  }

  private static void killedAfterPrepare(
      XADataSource ds, String url, String sessionIdQuery, String killPrefix) throws Exception {
    Xid xid = TestXid.fresh("killed-");
    XAConnection doomed = ds.getXAConnection();
    long session;
    try (Statement s = doomed.getConnection().createStatement();
        ResultSet rs = s.executeQuery(sessionIdQuery)) {
      rs.next();
      session = rs.getLong(1);
    }
    XAResource r = VendorXaResource.wrap(doomed.getXAResource());
    r.start(xid, XAResource.TMNOFLAGS);
    try (Statement s = doomed.getConnection().createStatement()) {
      s.executeUpdate("insert into t values (1)");
    }
    r.end(xid, XAResource.TMSUCCESS);
    assertEquals(XAResource.XA_OK, r.prepare(xid));

    try (Connection admin = DriverManager.getConnection(url);
        Statement s = admin.createStatement()) {
      s.execute(killPrefix + session + (killPrefix.endsWith("(") ? ")" : ""));
    }

    XAException e = assertThrows(XAException.class, () -> r.commit(xid, false));
    assertEquals(
        XAException.XAER_RMFAIL, e.errorCode, "the commit's outcome is unknown: " + e.getMessage());
    doomed.close();

    XAConnection fresh = ds.getXAConnection();
    try {
      XAResource f = VendorXaResource.wrap(fresh.getXAResource());
      Xid[] listed = f.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
      assertTrue(
          Arrays.stream(listed)
              .anyMatch(
                  x -> Arrays.equals(x.getGlobalTransactionId(), xid.getGlobalTransactionId())),
          "the prepared branch outlived its killed session");
      f.commit(xid, false);
    } finally {
      fresh.close();
    }
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from t")) {
      rs.next();
      assertEquals(1, rs.getInt(1), "committed through the fresh connection");
    }
  }
}
