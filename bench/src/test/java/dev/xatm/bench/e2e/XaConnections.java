package dev.xatm.bench.e2e;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import org.postgresql.xa.PGXADataSource;

/**
 * One PostgreSQL XAConnection per worker thread per database, opened up front: what the raw-XA and
 * Narayana contenders use (no pool, as in research/bench-anchors.md).
 */
final class XaConnections implements AutoCloseable {
  final XAResource[][] resources;
  final Connection[][] connections;
  private final List<XAConnection> opened = new ArrayList<>();

  XaConnections(BenchServer server, int threads) throws SQLException {
    PGXADataSource a = dataSource(server.url(BankTables.DB_A));
    PGXADataSource b = dataSource(server.url(BankTables.DB_B));
    resources = new XAResource[threads][2];
    connections = new Connection[threads][2];
    for (int t = 0; t < threads; t++) {
      PGXADataSource[] both = {a, b};
      for (int i = 0; i < 2; i++) {
        XAConnection x = both[i].getXAConnection();
        opened.add(x);
        resources[t][i] = x.getXAResource();
        connections[t][i] = x.getConnection();
      }
    }
  }

  private static PGXADataSource dataSource(String url) {
    PGXADataSource ds = new PGXADataSource();
    ds.setUrl(url);
    return ds;
  }

  @Override
  public void close() throws SQLException {
    for (XAConnection x : opened) {
      x.close();
    }
  }
}
