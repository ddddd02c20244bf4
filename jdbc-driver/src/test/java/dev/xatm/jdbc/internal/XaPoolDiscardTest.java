package dev.xatm.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A driver pool that never connected discards itself on its first failure, and only then. */
class XaPoolDiscardTest {
  private static final ClassLoader LOADER = XaPoolDiscardTest.class.getClassLoader();

  private static XaConnectionFactory h2(String extra) throws SQLException {
    String db = "d" + UUID.randomUUID().toString().replace("-", "");
    return XaConnectionFactory.create(
        XaUrl.parse("jdbc:xa:h2:mem:" + db + ";DB_CLOSE_DELAY=-1" + extra, null), LOADER);
  }

  @Test
  void firstFailureDiscardsAndLaterBorrowersAreToldWhy() throws SQLException {
    List<XaPool> discarded = new CopyOnWriteArrayList<>();
    XaPool pool = new XaPool(h2(";NO_SUCH_SETTING=1"), PoolConfig.defaults(), discarded::add);
    ManagedResource r =
        new ManagedResource(
            pool, TransactionSource.of(new dev.xatm.jdbc.testing.FakeTransactionManager()));
    SQLException first = assertThrows(SQLException.class, r::connection);
    assertFalse(first instanceof PoolDiscardedException, "the caller's own failure, as it was");
    assertEquals(List.of(pool), discarded);
    assertTrue(pool.isDiscarded());
    PoolDiscardedException later = assertThrows(PoolDiscardedException.class, r::connection);
    assertEquals("08003", later.getSQLState());
    assertInstanceOf(SQLException.class, later.getCause(), "the first failure as cause");
    assertEquals(List.of(pool), discarded, "told once");
  }

  /** H2's XADataSource that fails to connect while {@link #down} is set. */
  public static final class FlakyXaDataSource implements javax.sql.XADataSource {
    static volatile boolean down;
    private final org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();

    public void setUrl(String url) {
      h2.setUrl(url);
    }

    @Override
    public javax.sql.XAConnection getXAConnection() throws SQLException {
      if (down) {
        throw new SQLException("server down", "08001");
      }
      return h2.getXAConnection();
    }

    @Override
    public javax.sql.XAConnection getXAConnection(String user, String password)
        throws SQLException {
      return getXAConnection();
    }

    @Override
    public java.io.PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(java.io.PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public java.util.logging.Logger getParentLogger() {
      return java.util.logging.Logger.getLogger("flaky");
    }
  }

  @Test
  void aPoolThatConnectedOnceIsNeverDiscarded() throws SQLException {
    List<XaPool> discarded = new CopyOnWriteArrayList<>();
    String db = "d" + UUID.randomUUID().toString().replace("-", "");
    XaConnectionFactory f =
        XaConnectionFactory.create(
            XaUrl.parse(
                "jdbc:xa:h2:mem:"
                    + db
                    + ";DB_CLOSE_DELAY=-1;xaDataSourceClass="
                    + FlakyXaDataSource.class.getName(),
                null),
            LOADER);
    XaPool pool = new XaPool(f, PoolConfig.defaults().withMaxPoolSize(2), discarded::add);
    try {
      PooledXaConnection held = pool.acquire();
      FlakyXaDataSource.down = true;
      assertThrows(SQLException.class, pool::acquire, "a second connection fails");
      held.exit();
      assertEquals(List.of(), discarded, "it has connected: it stays for when the server is back");
      assertFalse(pool.isClosed());
    } finally {
      FlakyXaDataSource.down = false;
      pool.close();
    }
  }

  @Test
  void aDataSourcePoolNeverDiscardsItself() throws SQLException {
    XaPool pool = new XaPool(h2(";NO_SUCH_SETTING=1"), PoolConfig.defaults());
    try {
      assertThrows(SQLException.class, pool::acquire);
      assertThrows(SQLException.class, pool::acquire);
      assertFalse(pool.isDiscarded());
      assertFalse(pool.isClosed(), "a DataSource keeps trying: its server may come up later");
    } finally {
      pool.close();
    }
  }
}
