package dev.xatm.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.XAConnection;
import org.junit.jupiter.api.Test;

class XaConnectionFactoryTest {
  private static final ClassLoader LOADER = XaConnectionFactoryTest.class.getClassLoader();

  /** A class loader on which the named package's classes are missing. */
  private static ClassLoader hiding(String packagePrefix) {
    return new ClassLoader(LOADER) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(packagePrefix)) {
          throw new ClassNotFoundException(name);
        }
        return super.loadClass(name, resolve);
      }
    };
  }

  @Test
  void unknownVendorNamesTheFix() throws SQLException {
    XaUrl url = XaUrl.parse("jdbc:xa:db2://h:50000/x?password=s3cret", null);
    SQLException e =
        assertThrows(SQLException.class, () -> XaConnectionFactory.create(url, LOADER));
    assertEquals("08001", e.getSQLState());
    assertTrue(e.getMessage().contains("xaDataSourceClass="), e.getMessage());
    assertTrue(e.getMessage().contains("jdbc:xa:db2://h:50000/x"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void missingVendorDriverNamesMavenCoordinates() throws SQLException {
    XaUrl url = XaUrl.parse("jdbc:xa:postgresql://h/db?user=a&password=s3cret", null);
    SQLException e =
        assertThrows(
            SQLException.class, () -> XaConnectionFactory.create(url, hiding("org.postgresql.")));
    assertEquals("08001", e.getSQLState());
    assertTrue(e.getMessage().contains("org.postgresql.xa.PGXADataSource"), e.getMessage());
    assertTrue(e.getMessage().contains("org.postgresql:postgresql"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }

  @Test
  void missingMariaDbDriverNamesItsCoordinatesForMysqlUrlsToo() throws SQLException {
    XaUrl url = XaUrl.parse("jdbc:xa:mysql://h/db", null);
    SQLException e =
        assertThrows(
            SQLException.class, () -> XaConnectionFactory.create(url, hiding("org.mariadb.")));
    assertTrue(e.getMessage().contains("org.mariadb.jdbc:mariadb-java-client"), e.getMessage());
  }

  @Test
  void explicitClassThatIsMissingOrNotXa() throws SQLException {
    XaUrl missing = XaUrl.parse("jdbc:xa:foo://h;xaDataSourceClass=com.example.NoSuchXa", null);
    SQLException e1 =
        assertThrows(SQLException.class, () -> XaConnectionFactory.create(missing, LOADER));
    assertTrue(e1.getMessage().contains("com.example.NoSuchXa"), e1.getMessage());
    assertTrue(e1.getMessage().contains("classpath"), e1.getMessage());

    XaUrl notXa = XaUrl.parse("jdbc:xa:foo://h;xaDataSourceClass=java.lang.Object", null);
    SQLException e2 =
        assertThrows(SQLException.class, () -> XaConnectionFactory.create(notXa, LOADER));
    assertTrue(e2.getMessage().contains("does not implement javax.sql.XADataSource"));
  }

  @Test
  void explicitClassOverridesTheDefault() throws SQLException {
    // The named class is used instead of the vendor default.
    XaUrl url =
        XaUrl.parse("jdbc:xa:h2:mem:explicit;xaDataSourceClass=org.h2.jdbcx.JdbcDataSource", null);
    XAConnection xa = XaConnectionFactory.create(url, LOADER).open();
    try (Connection c = xa.getConnection()) {
      assertTrue(c.isValid(1));
    } finally {
      xa.close();
    }
  }

  @Test
  void postgresWithPreparedTransactionsDisabledFailsWithTheFix() throws SQLException {
    XaUrl url = XaUrl.parse("jdbc:xa:postgresql://db1:5432/bank?user=app&password=s3cret", null);
    AtomicReference<String> query = new AtomicReference<>();
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> XaConnectionFactory.checkPreparedTransactions(fakeShow("0", query), url));
    assertEquals("show max_prepared_transactions", query.get());
    assertEquals("55000", e.getSQLState());
    assertTrue(e.getMessage().contains("max_prepared_transactions = 0"), e.getMessage());
    assertTrue(e.getMessage().contains("postgresql.conf"), e.getMessage());
    assertTrue(e.getMessage().contains("restart"), e.getMessage());
    assertTrue(e.getMessage().contains("jdbc:xa:postgresql://db1:5432/bank"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());

    assertDoesNotThrow(
        () -> XaConnectionFactory.checkPreparedTransactions(fakeShow("100", query), url));
  }

  /** An XADataSource whose connect error quotes its URL and password, as careless drivers do. */
  public static final class EchoingXaDataSource extends dev.xatm.jdbc.testing.TestXaDataSource {
    private String url;
    private String password;

    public void setUrl(String url) {
      this.url = url;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    @Override
    public XAConnection getXAConnection() throws SQLException {
      SQLException cause = new SQLException("auth failed with password " + password, "28P01", 17);
      SQLException e = new SQLException("cannot connect to " + url, "08001", 42, cause);
      e.setNextException(new SQLException("next: " + password + " again", "08004"));
      throw e;
    }
  }

  @Test
  void vendorErrorsThatQuoteSecretsAreCleanedButKeepStateAndStack() throws SQLException {
    java.util.Properties p = new java.util.Properties();
    p.setProperty("password", "pa55word");
    XaUrl withPassword =
        XaUrl.parse(
            "jdbc:xa:echo://h/db?sslpassword=k3ysecret&xaDataSourceClass="
                + EchoingXaDataSource.class.getName(),
            p);
    SQLException e =
        assertThrows(
            SQLException.class, () -> XaConnectionFactory.create(withPassword, LOADER).open());
    assertEquals("08001", e.getSQLState());
    assertEquals(42, e.getErrorCode());
    assertTrue(e.getMessage().contains("cannot connect to jdbc:echo://h/db"), e.getMessage());
    assertTrue(e.getStackTrace().length > 0);
    assertTrue(
        java.util.Arrays.stream(e.getStackTrace())
            .anyMatch(f -> f.getMethodName().equals("getXAConnection")),
        "the vendor's stack is kept");
    int n = 0;
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(t.toString().contains("pa55word"), t.toString());
      assertFalse(t.toString().contains("k3ysecret"), t.toString());
      n++;
    }
    assertEquals(2, n, "the cause chain is kept");
    assertEquals("28P01", ((SQLException) e.getCause()).getSQLState());
    SQLException next = e.getNextException();
    assertEquals("08004", next.getSQLState());
    assertFalse(next.getMessage().contains("pa55word"), next.getMessage());
    java.io.StringWriter trace = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(trace));
    assertFalse(trace.toString().contains("pa55word"), trace.toString());
    assertFalse(trace.toString().contains("k3ysecret"), trace.toString());
  }

  /** A connection whose only query answers {@code value}; any other call fails the test. */
  private static Connection fakeShow(String value, AtomicReference<String> query) {
    ResultSet rs =
        proxy(
            ResultSet.class,
            (m, a) ->
                switch (m) {
                  case "next" -> true;
                  case "getString" -> value;
                  case "close" -> null;
                  default -> throw new AssertionError("unexpected ResultSet." + m);
                });
    Statement st =
        proxy(
            Statement.class,
            (m, a) ->
                switch (m) {
                  case "executeQuery" -> {
                    query.set((String) a[0]);
                    yield rs;
                  }
                  case "close" -> null;
                  default -> throw new AssertionError("unexpected Statement." + m);
                });
    return proxy(
        Connection.class,
        (m, a) -> {
          if (m.equals("createStatement")) {
            return st;
          }
          throw new AssertionError("unexpected Connection." + m);
        });
  }

  private interface Answer {
    Object answer(String method, Object[] args);
  }

  private static <T> T proxy(Class<T> type, Answer answer) {
    return type.cast(
        Proxy.newProxyInstance(
            LOADER, new Class<?>[] {type}, (p, m, a) -> answer.answer(m.getName(), a)));
  }
}
