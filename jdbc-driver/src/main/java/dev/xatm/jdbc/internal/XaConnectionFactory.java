package dev.xatm.jdbc.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.XAConnection;
import javax.sql.XADataSource;

/**
 * Turns a {@link XaUrl} into physical {@link XAConnection}s: loads and configures the vendor's
 * XADataSource (by reflection, so only the vendor jar the application uses must be present) and
 * checks once that the server can do two-phase commit at all.
 *
 * <p>Configuration order follows pgjdbc's rule that {@code setUrl} only fills properties not set
 * yet: the URL first, then user and password. Thread-safe: {@link #open()} may be called
 * concurrently; the vendor XADataSource is only read after construction.
 */
public final class XaConnectionFactory {
  private final XaUrl url;
  private final XADataSource dataSource;
  private final AtomicBoolean serverChecked = new AtomicBoolean();

  private XaConnectionFactory(XaUrl url, XADataSource dataSource) {
    this.url = url;
    this.dataSource = dataSource;
  }

  /**
   * Loads and configures the XADataSource for the URL.
   *
   * @throws SQLException SQLState 08001: unknown vendor, vendor driver missing, or a class that is
   *     no XADataSource; the message names the fix
   */
  public static XaConnectionFactory create(XaUrl url, ClassLoader loader) throws SQLException {
    String className =
        url.xaDataSourceClass()
            .or(() -> url.vendor().defaultXaDataSourceClass())
            .orElseThrow(
                () ->
                    new SQLException(
                        "unknown database in xatm URL '"
                            + url.safeUrl()
                            + "': xatm knows postgresql, mariadb, mysql and h2 by name. For any"
                            + " other XA-capable driver name its XADataSource class with the URL"
                            + " parameter or property "
                            + XaUrl.XA_DATA_SOURCE_CLASS
                            + "=<fully.qualified.ClassName>",
                        "08001"));
    Class<?> type;
    try {
      type = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      String fix =
          url.xaDataSourceClass().isPresent()
              ? "put the jar that contains it on the classpath"
              : "add the Maven dependency "
                  + url.vendor().mavenCoordinates().orElse("of the vendor driver")
                  + " to the application";
      throw new SQLException(
          "the XADataSource class "
              + className
              + " for '"
              + url.safeUrl()
              + "' is not on the classpath: "
              + fix,
          "08001",
          e);
    }
    if (!XADataSource.class.isAssignableFrom(type)) {
      throw new SQLException(
          className
              + " (for '"
              + url.safeUrl()
              + "') does not implement javax.sql.XADataSource; name the driver's XA class in "
              + XaUrl.XA_DATA_SOURCE_CLASS,
          "08001");
    }
    XADataSource ds;
    try {
      ds = (XADataSource) type.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new SQLException(
          "cannot instantiate " + className + " for '" + url.safeUrl() + "': " + e, "08001", e);
    }
    configure(ds, url);
    return new XaConnectionFactory(url, ds);
  }

  /**
   * Opens connections from an XADataSource its owner configured (a framework's, e.g. Spring Boot's
   * {@code spring.datasource.xa.*}); {@code recipe} only names the resource (vendor, descriptor,
   * password offered to recovery, secrets to clean from messages) and is not applied to it.
   */
  public static XaConnectionFactory wrap(XaUrl recipe, XADataSource configured) {
    return new XaConnectionFactory(recipe, configured);
  }

  private static void configure(XADataSource ds, XaUrl url) throws SQLException {
    Method setUrl = setter(ds, "setUrl");
    if (setUrl == null) {
      setUrl = setter(ds, "setURL");
    }
    if (setUrl == null) {
      throw new SQLException(
          ds.getClass().getName()
              + " has neither setUrl(String) nor setURL(String), so xatm cannot hand it the URL"
              + " '"
              + url.safeUrl()
              + "'",
          "08001");
    }
    invoke(ds, setUrl, url.vendorUrl(), url, "URL");
    if (url.user() != null) {
      Method m = setter(ds, "setUser");
      if (m != null) {
        invoke(ds, m, url.user(), url, "user");
      }
    }
    if (url.password() != null) {
      Method m = setter(ds, "setPassword");
      if (m != null) {
        invoke(ds, m, url.password(), url, "password");
      }
    }
  }

  private static Method setter(Object target, String name) {
    try {
      return target.getClass().getMethod(name, String.class);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static void invoke(Object target, Method m, String value, XaUrl url, String what)
      throws SQLException {
    try {
      m.invoke(target, value);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      // The vendor's message may quote the value; for the password, keep only its type.
      String detail =
          what.equals("password")
              ? cause.getClass().getName()
              : Redaction.clean(cause.toString(), url.secrets());
      throw new SQLException(
          "the "
              + what
              + " of '"
              + url.safeUrl()
              + "' was refused by "
              + target.getClass().getName()
              + ": "
              + detail,
          "08001");
    } catch (IllegalAccessException e) {
      throw new SQLException("cannot call " + m + ": " + e, "08001", e);
    }
  }

  public XaUrl url() {
    return url;
  }

  /**
   * Opens one physical XA connection. The first successful open of a PostgreSQL factory also checks
   * {@code max_prepared_transactions}.
   *
   * @throws SQLException the vendor's error (cleaned of the URL's secrets, see {@link Redaction}),
   *     or SQLState 55000 when the server cannot prepare
   */
  public XAConnection open() throws SQLException {
    XAConnection xa;
    try {
      xa = dataSource.getXAConnection();
    } catch (SQLException e) {
      throw Redaction.clean(e, url.secrets());
    } catch (RuntimeException e) {
      throw Redaction.clean(e, url.secrets());
    }
    if (url.vendor().isPostgreSql() && !serverChecked.get()) {
      try (Connection c = xa.getConnection()) {
        checkPreparedTransactions(c, url);
        serverChecked.set(true);
      } catch (SQLException e) {
        closeQuietly(xa);
        throw Redaction.clean(e, url.secrets());
      }
    }
    return xa;
  }

  /**
   * Fails when PostgreSQL has prepared transactions disabled: without them every prepare fails,
   * which users otherwise first see as a rollback at commit time.
   */
  static void checkPreparedTransactions(Connection c, XaUrl url) throws SQLException {
    int value;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("show max_prepared_transactions")) {
      if (!rs.next()) {
        throw new SQLException("'show max_prepared_transactions' returned no row", "55000");
      }
      value = Integer.parseInt(rs.getString(1).trim());
    } catch (NumberFormatException e) {
      throw new SQLException(
          "unexpected value of max_prepared_transactions on '" + url.safeUrl() + "'", "55000", e);
    }
    if (value <= 0) {
      throw new SQLException(
          "PostgreSQL at '"
              + url.safeUrl()
              + "' has max_prepared_transactions = "
              + value
              + ", so it cannot take part in two-phase (XA) transactions. Set"
              + " max_prepared_transactions to a value > 0 (at least max_connections is the usual"
              + " advice) in postgresql.conf, or run ALTER SYSTEM SET max_prepared_transactions ="
              + " 100, and restart the server.",
          "55000");
    }
  }

  static void closeQuietly(XAConnection xa) {
    try {
      xa.close();
    } catch (SQLException ignored) {
      // Closing a connection we are throwing away; its failure changes nothing.
    }
  }
}
