package dev.xatm.bench.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;

/**
 * The floor every TM pays: the same statements on the same kind of XA connections, with the
 * XAResources driven by hand and no log. Sequential, in one thread: start/update/end on A, the same
 * on B, prepare A, prepare B, commit A, commit B.
 */
final class RawXaContender implements Contender {
  private final BenchServer server;
  private final long nonce = System.nanoTime();
  private XaConnections xa;

  RawXaContender(BenchServer server) {
    this.server = server;
  }

  @Override
  public String name() {
    return "raw-xa";
  }

  @Override
  public void open(int threads) throws SQLException {
    xa = new XaConnections(server, threads);
  }

  @Override
  public void transfer(int thread, long sequence) throws Exception {
    int row = BankTables.row(thread, sequence);
    XAResource ra = xa.resources[thread][0];
    XAResource rb = xa.resources[thread][1];
    BenchXid xidA = BenchXid.of(nonce, thread, sequence, (byte) 1);
    BenchXid xidB = BenchXid.of(nonce, thread, sequence, (byte) 2);
    boolean prepared = false;
    try {
      ra.start(xidA, XAResource.TMNOFLAGS);
      update(xa.connections[thread][0], BankTables.DEBIT, row);
      ra.end(xidA, XAResource.TMSUCCESS);
      rb.start(xidB, XAResource.TMNOFLAGS);
      update(xa.connections[thread][1], BankTables.CREDIT, row);
      rb.end(xidB, XAResource.TMSUCCESS);
      ra.prepare(xidA);
      rb.prepare(xidB);
      prepared = true;
    } finally {
      if (!prepared) {
        rollbackQuietly(ra, xidA);
        rollbackQuietly(rb, xidB);
      }
    }
    ra.commit(xidA, false);
    rb.commit(xidB, false);
  }

  private static void update(Connection c, String sql, int row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, row);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("row " + row + " missing");
      }
    }
  }

  private static void rollbackQuietly(XAResource r, BenchXid xid) {
    try {
      r.end(xid, XAResource.TMFAIL);
    } catch (XAException e) {
      // Not started or already ended: rollback below decides.
    }
    try {
      r.rollback(xid);
    } catch (XAException e) {
      System.err.println("raw-xa rollback of " + xid + " failed: XA error " + e.errorCode);
    }
  }

  @Override
  public void close() throws SQLException {
    xa.close();
  }
}
