package dev.xatm.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
  public static final class FlakyXaDataSource extends dev.xatm.jdbc.testing.TestXaDataSource {
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

  /**
   * An XADataSource that connects, and whose connection then fails its setup quoting the password,
   * as careless drivers do: {@code ?fail=resource} makes {@code getXAResource()} throw an
   * SQLException, {@code ?fail=connection} makes {@code getConnection()} throw an unchecked one.
   */
  public static final class SetupFailingXaDataSource
      extends dev.xatm.jdbc.testing.TestXaDataSource {
    private String url;
    private String password;

    public void setUrl(String url) {
      this.url = url;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    @Override
    public javax.sql.XAConnection getXAConnection() {
      boolean resource = url.contains("fail=resource");
      return (javax.sql.XAConnection)
          Proxy.newProxyInstance(
              LOADER,
              new Class<?>[] {javax.sql.XAConnection.class},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "getConnection" -> {
                      if (!resource) {
                        throw new IllegalStateException("session setup failed for " + password);
                      }
                      yield Proxy.newProxyInstance(
                          LOADER,
                          new Class<?>[] {java.sql.Connection.class},
                          (p, m, a) -> m.getName().equals("close") ? null : fail(m.getName()));
                    }
                    case "getXAResource" -> {
                      SQLException cause =
                          new SQLException("login " + password + " rejected", "28000");
                      SQLException e =
                          new SQLException("no XA resource for " + url, "08006", 7, cause);
                      e.setNextException(new SQLException("and " + password, "08006"));
                      throw e;
                    }
                    case "close", "addConnectionEventListener" -> null;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "SetupFailingXAConnection";
                    default -> fail(method.getName());
                  });
    }

    private static Object fail(String method) {
      throw new AssertionError("unexpected call " + method);
    }
  }

  /**
   * A fresh connection's setup after getXAConnection (getConnection, getXAResource) fails quoting
   * the password: the caller's exception, the discarded pool's message to later borrowers and the
   * log show none of it, and keep the SQLState (commit 92b8b9a).
   */
  @Test
  void setupErrorsOfAFreshConnectionAreCleanedOfThePassword() throws Exception {
    String password = "setup-s3cret-pw";
    for (String mode : List.of("resource", "connection")) {
      Properties props = new Properties();
      props.setProperty("password", password);
      XaConnectionFactory f =
          XaConnectionFactory.create(
              XaUrl.parse(
                  "jdbc:xa:setup://h/db?fail="
                      + mode
                      + "&xaDataSourceClass="
                      + SetupFailingXaDataSource.class.getName(),
                  props),
              LOADER);
      List<XaPool> discarded = new CopyOnWriteArrayList<>();
      List<LogRecord> records = new CopyOnWriteArrayList<>();
      Logger root = Logger.getLogger("");
      Level level = root.getLevel();
      Handler handler =
          new Handler() {
            @Override
            public void publish(LogRecord r) {
              records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          };
      handler.setLevel(Level.ALL);
      root.setLevel(Level.ALL);
      root.addHandler(handler);
      XaPool pool = new XaPool(f, PoolConfig.defaults(), discarded::add);
      try {
        SQLException first = assertThrows(SQLException.class, pool::acquire, mode);
        assertNoSecret(first, password);
        if (mode.equals("resource")) {
          assertEquals("08006", first.getSQLState());
          assertEquals(7, first.getErrorCode());
          assertEquals("28000", ((SQLException) first.getCause()).getSQLState());
          assertEquals("08006", first.getNextException().getSQLState());
        } else {
          assertEquals("08001", first.getSQLState());
          assertTrue(
              first.getMessage().startsWith(IllegalStateException.class.getName()),
              first.getMessage());
        }
        assertEquals(List.of(pool), discarded, "its first connection failed: discarded");
        assertNoSecret(assertThrows(PoolDiscardedException.class, pool::acquire), password);
      } finally {
        root.removeHandler(handler);
        root.setLevel(level);
        pool.close();
      }
      for (LogRecord r : records) {
        StringBuilder text = new StringBuilder(String.valueOf(r.getMessage()));
        for (Object p : r.getParameters() == null ? new Object[0] : r.getParameters()) {
          text.append(' ').append(p);
        }
        assertFalse(text.toString().contains(password), text.toString());
        if (r.getThrown() != null) {
          assertNoSecret(r.getThrown(), password);
        }
      }
    }
  }

  /** Not in any message, cause, suppressed or next exception, nor the printed stack. */
  private static void assertNoSecret(Throwable e, String secret) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    for (Throwable t = e; t != null; t = t.getCause()) {
      for (SQLException n = t instanceof SQLException s ? s.getNextException() : null;
          n != null;
          n = n.getNextException()) {
        n.printStackTrace(new PrintWriter(w));
      }
    }
    assertFalse(w.toString().contains(secret), w.toString());
  }
}
