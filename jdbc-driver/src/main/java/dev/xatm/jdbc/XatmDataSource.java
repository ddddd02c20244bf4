package dev.xatm.jdbc;

import dev.xatm.jdbc.internal.ManagedResource;
import dev.xatm.jdbc.internal.PoolConfig;
import dev.xatm.jdbc.internal.TransactionSource;
import dev.xatm.jdbc.internal.XaConnectionFactory;
import dev.xatm.jdbc.internal.XaPool;
import dev.xatm.jdbc.internal.XaUrl;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.spi.XatmRuntime;
import jakarta.transaction.TransactionManager;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import javax.sql.DataSource;
import javax.sql.XADataSource;

/**
 * A pooled DataSource whose connections take part in the current JTA transaction: the bean to hand
 * to frameworks (Spring, JPA) that want a {@link DataSource}.
 *
 * <pre>{@code
 * XatmDataSource orders = XatmDataSource.builder()
 *     .url("jdbc:xa:postgresql://db1:5432/orders")
 *     .user("app").password(secret)
 *     .maxPoolSize(20)
 *     .runtime(xatm)              // or .transactionManager(tm)
 *     .build();
 * userTransaction.begin();
 * try (Connection c = orders.getConnection()) { ... }   // enlisted on first use
 * userTransaction.commit();                             // connection back to the pool after
 * }</pre>
 *
 * <p>Connections: see {@code docs/jdbc-driver.md}. Inside an active transaction all connections of
 * one XatmDataSource share one physical connection (one XA branch); {@code commit}, {@code
 * rollback}, {@code setAutoCommit(true)} and savepoints throw. Outside, a connection is a plain
 * auto-commit connection.
 *
 * <p>Thread-safe. {@link #close()} closes idle connections at once and the others as they come
 * back.
 */
public final class XatmDataSource implements DataSource, AutoCloseable {
  private final ManagedResource resource;
  private final String user;
  private final String password;
  private PrintWriter logWriter;
  private int loginTimeout;

  private XatmDataSource(ManagedResource resource, String user, String password) {
    this.resource = resource;
    this.user = user;
    this.password = password;
  }

  /** {@return a builder; {@code url} and a transaction source are required} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A DataSource from properties: {@code url} (required), {@code user}, {@code password}, {@code
   * xaDataSourceClass}, and the pool settings of {@link PoolSettings} ({@code xatm.pool.max-size},
   * {@code xatm.pool.acquire-timeout}, ...; also accepted without the {@code xatm.} prefix).
   * Connections enlist in transactions of the given TM.
   *
   * @param properties the settings above; keys are matched ignoring case
   * @param tm the transaction manager whose transactions connections enlist in
   * @return the DataSource; the caller closes it
   * @throws SQLException a bad URL or vendor (SQLState 08001) or a bad value (22023)
   */
  public static XatmDataSource fromProperties(Properties properties, TransactionManager tm)
      throws SQLException {
    return fromProperties(properties).transactionManager(tm).build();
  }

  /**
   * As {@link #fromProperties(Properties, TransactionManager)}, with an xatm runtime: its TM, and
   * it is offered the password so that recovery can reconnect.
   *
   * @param properties the settings, as for the other overload
   * @param runtime the running xatm transaction manager
   * @return the DataSource; the caller closes it
   * @throws SQLException a bad URL or vendor (SQLState 08001) or a bad value (22023)
   */
  public static XatmDataSource fromProperties(Properties properties, XatmRuntime runtime)
      throws SQLException {
    return fromProperties(properties).runtime(runtime).build();
  }

  private static Builder fromProperties(Properties p) throws SQLException {
    Builder b = builder();
    Map<String, String> settings = new HashMap<>();
    for (String key : p.stringPropertyNames()) {
      String value = p.getProperty(key);
      String k = key.startsWith(XaUrl.SETTING_PREFIX) ? key.substring(5) : key;
      switch (k.toLowerCase(Locale.ROOT)) {
        case "url", "jdbcurl" -> b.url(value);
        case "user", "username" -> b.user(value);
        case "password" -> b.password(value);
        case "xadatasourceclass" -> b.xaDataSourceClass(value);
        default -> settings.put(k, value);
      }
    }
    b.settings = settings;
    return b;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return resource.connection();
  }

  /**
   * Only the configured credentials are accepted: a pool serves one user (recovery identifies a
   * resource by URL and user).
   */
  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    if (Objects.equals(username, user) && Objects.equals(password, this.password)) {
      return getConnection();
    }
    throw new SQLFeatureNotSupportedException(
        "an XatmDataSource serves only the user it was built with ("
            + user
            + "); build another XatmDataSource for another user");
  }

  /** {@return the pool's numbers now: connections total, active, idle, waiters, counters} */
  public PoolStats stats() {
    return resource.stats();
  }

  /** {@return how the TM's recovery identifies and reaches this resource (no password)} */
  public ResourceDescriptor descriptor() {
    return resource.descriptor();
  }

  /** {@return how many transactions currently hold one of this pool's connections} */
  public int openBranches() {
    return resource.openBranches();
  }

  /** Runs idle-timeout, lifetime and leak checks now (they also run periodically). */
  public void runHousekeeping() {
    resource.pool().runHousekeeping();
  }

  @Override
  public void close() {
    resource.close();
  }

  /** {@return whether {@link #close()} was called} Connections may still be out on loan. */
  public boolean isClosed() {
    return resource.pool().isClosed();
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeout = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeout;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("dev.xatm.jdbc");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("XatmDataSource does not wrap a " + iface.getName(), "HY000");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }

  @Override
  public String toString() {
    return "XatmDataSource[" + resource.pool().name() + ", " + stats() + "]";
  }

  /** Builds an {@link XatmDataSource}. Values set here win over the same URL parameter. */
  public static final class Builder {
    private String url;
    private String user;
    private String password;
    private String xaDataSourceClass;
    private XADataSource configured;
    private Map<String, String> settings = new HashMap<>();
    private Integer maxPoolSize;
    private Duration acquireTimeout;
    private Duration idleTimeout;
    private Duration maxLifetime;
    private Duration leakDetectionThreshold;
    private Duration validationTimeout;
    private Duration housekeepingPeriod;
    private LongSupplier nanoClock;
    private TransactionSource transactions;

    private Builder() {}

    /**
     * Sets the URL, {@code jdbc:xa:<vendor-url>}; a plain vendor URL ({@code jdbc:postgresql:...})
     * is accepted too. Required. Pool settings may be given as its parameters.
     *
     * @param url the URL
     * @return this builder
     */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /**
     * Sets the database user; the pool serves only this user.
     *
     * @param user the user name
     * @return this builder
     */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /**
     * Sets the database password. It is kept in memory only, never logged or written.
     *
     * @param password the password
     * @return this builder
     */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Sets the vendor's XADataSource class, for databases xatm does not know by name.
     *
     * @param className the fully qualified class name
     * @return this builder
     */
    public Builder xaDataSourceClass(String className) {
      this.xaDataSourceClass = className;
      return this;
    }

    /**
     * An XADataSource configured by its owner (a framework: Spring Boot's {@code
     * spring.datasource.xa.*}, an application bean) to open the pool's physical connections from,
     * as it is. {@link #url(String)} then only names the resource: it must be the {@code jdbc:xa:}
     * (or vendor) URL of the same database, with {@link #user(String)} and {@link
     * #password(String)} the credentials the XADataSource uses, because recovery reconnects with
     * them (in a new instance of the same class) when no pool exists. When the class is not the
     * default of the URL's vendor, it is added as {@code xaDataSourceClass} so recovery loads it.
     *
     * @param configured the configured vendor XADataSource; used as it is, never reconfigured
     * @return this builder
     */
    public Builder xaDataSource(XADataSource configured) {
      this.configured = Objects.requireNonNull(configured, "configured");
      return this;
    }

    /**
     * A pool setting of {@link PoolSettings} in its text form ({@code "xatm.pool.acquire-timeout",
     * "2s"}), as in the URL; checked by {@link #build()}. The typed methods below win over it.
     *
     * @param key the setting's key
     * @param value its value in the setting's syntax
     * @return this builder
     */
    public Builder setting(String key, String value) {
      settings.put(key, value);
      return this;
    }

    /**
     * Sets {@link PoolSettings#MAX_SIZE}: physical connections open at once.
     *
     * @param n at least 1, checked by {@link #build()}
     * @return this builder
     */
    public Builder maxPoolSize(int n) {
      this.maxPoolSize = n;
      return this;
    }

    /**
     * Sets {@link PoolSettings#ACQUIRE_TIMEOUT}: how long {@code getConnection} waits for a free
     * connection.
     *
     * @param d not negative, checked by {@link #build()}
     * @return this builder
     */
    public Builder acquireTimeout(Duration d) {
      this.acquireTimeout = d;
      return this;
    }

    /**
     * Sets {@link PoolSettings#IDLE_TIMEOUT}. Zero: idle connections are never closed for idleness.
     *
     * @param d not negative, checked by {@link #build()}
     * @return this builder
     */
    public Builder idleTimeout(Duration d) {
      this.idleTimeout = d;
      return this;
    }

    /**
     * Sets {@link PoolSettings#MAX_LIFETIME}. Zero: connections are never retired for age.
     *
     * @param d not negative, checked by {@link #build()}
     * @return this builder
     */
    public Builder maxLifetime(Duration d) {
      this.maxLifetime = d;
      return this;
    }

    /**
     * Sets {@link PoolSettings#LEAK_DETECTION_THRESHOLD}. Zero (the default): no leak detection.
     *
     * @param d not negative, checked by {@link #build()}
     * @return this builder
     */
    public Builder leakDetectionThreshold(Duration d) {
      this.leakDetectionThreshold = d;
      return this;
    }

    /**
     * Sets {@link PoolSettings#VALIDATION_TIMEOUT}: the bound of {@code isValid} on a connection
     * idle for more than 500 ms.
     *
     * @param d not negative, checked by {@link #build()}
     * @return this builder
     */
    public Builder validationTimeout(Duration d) {
      this.validationTimeout = d;
      return this;
    }

    /**
     * Sets {@link PoolSettings#HOUSEKEEPING_PERIOD}. Zero: no background housekeeping; call {@link
     * XatmDataSource#runHousekeeping()}.
     *
     * @param d not negative, checked by {@link #build()}
     * @return this builder
     */
    public Builder housekeepingPeriod(Duration d) {
      this.housekeepingPeriod = d;
      return this;
    }

    /**
     * Sets the pool's time source (tests); defaults to {@link System#nanoTime()}.
     *
     * @param clock nanoseconds, monotonic; not {@code null}
     * @return this builder
     */
    public Builder nanoClock(LongSupplier clock) {
      this.nanoClock = clock;
      return this;
    }

    /**
     * Makes connections enlist in the transactions of {@code tm}, any JTA transaction manager.
     * Replaces {@link #runtime} and {@link #jvmDefaultRuntime}.
     *
     * @param tm the transaction manager; not {@code null}
     * @return this builder
     */
    public Builder transactionManager(TransactionManager tm) {
      this.transactions = TransactionSource.of(tm);
      return this;
    }

    /**
     * Makes connections enlist in the transactions of an xatm runtime's TM, and offers it the
     * password so recovery can reconnect. Replaces {@link #transactionManager} and {@link
     * #jvmDefaultRuntime}.
     *
     * @param runtime the running xatm transaction manager; not {@code null}
     * @return this builder
     */
    public Builder runtime(XatmRuntime runtime) {
      this.transactions = TransactionSource.of(runtime);
      return this;
    }

    /**
     * Uses whatever xatm runtime is the JVM default ({@link dev.xatm.tm.spi.XatmRuntimes}) when a
     * connection is used; while none is installed, connections are plain auto-commit ones. Replaces
     * {@link #transactionManager} and {@link #runtime}.
     *
     * @return this builder
     */
    public Builder jvmDefaultRuntime() {
      this.transactions = TransactionSource.jvmDefault();
      return this;
    }

    /**
     * {@return the DataSource, with an empty pool} Checks the URL and every setting first.
     *
     * @throws SQLException SQLState 08001 for a missing or bad URL, a missing transaction source,
     *     an unknown vendor or a missing vendor driver; 22023 for a bad pool setting
     */
    public XatmDataSource build() throws SQLException {
      if (url == null) {
        throw new SQLException("XatmDataSource needs a url (jdbc:xa:<vendor-url>)", "08001");
      }
      if (transactions == null) {
        throw new SQLException(
            "XatmDataSource needs a transactionManager(..), runtime(..) or jvmDefaultRuntime()",
            "08001");
      }
      String className = xaDataSourceClass;
      if (configured != null && className == null) {
        String given = configured.getClass().getName();
        XaUrl plain = parseUrl(url, user, password, null);
        if (!plain
            .xaDataSourceClass()
            .or(() -> plain.vendor().defaultXaDataSourceClass())
            .map(given::equals)
            .orElse(false)) {
          className = given;
        }
      }
      XaUrl parsed = parseUrl(url, user, password, className);
      PoolConfig config;
      try {
        config = PoolConfig.defaults().with(parsed.settings()).with(settings);
        if (maxPoolSize != null) {
          config = config.withMaxPoolSize(maxPoolSize);
        }
        if (acquireTimeout != null) {
          config = config.withAcquireTimeout(acquireTimeout);
        }
        if (idleTimeout != null) {
          config = config.withIdleTimeout(idleTimeout);
        }
        if (maxLifetime != null) {
          config = config.withMaxLifetime(maxLifetime);
        }
        if (leakDetectionThreshold != null) {
          config = config.withLeakDetectionThreshold(leakDetectionThreshold);
        }
        if (validationTimeout != null) {
          config = config.withValidationTimeout(validationTimeout);
        }
        if (housekeepingPeriod != null) {
          config = config.withHousekeepingPeriod(housekeepingPeriod);
        }
        if (nanoClock != null) {
          config = config.withNanoClock(nanoClock);
        }
      } catch (IllegalArgumentException e) {
        throw new SQLException(
            "bad pool setting for " + parsed + ": " + e.getMessage(), "22023", e);
      }
      XaConnectionFactory factory =
          configured != null
              ? XaConnectionFactory.wrap(parsed, configured)
              : XaConnectionFactory.create(parsed, XatmDataSource.class.getClassLoader());
      ManagedResource resource = new ManagedResource(new XaPool(factory, config), transactions);
      return new XatmDataSource(resource, parsed.user(), parsed.password());
    }

    /**
     * The URL with the credentials and class given beside it, as a pool reads them (they win over
     * the same URL parameters); shared with {@link RecoveryRecipe} so both describe one resource.
     */
    static XaUrl parseUrl(String url, String user, String password, String xaDataSourceClass)
        throws SQLException {
      String xaUrl = url.startsWith(XaUrl.PREFIX) ? url : toXaUrl(url);
      Properties info = new Properties();
      if (user != null) {
        info.setProperty("user", user);
      }
      if (password != null) {
        info.setProperty("password", password);
      }
      if (xaDataSourceClass != null) {
        info.setProperty(XaUrl.XA_DATA_SOURCE_CLASS, xaDataSourceClass);
      }
      return XaUrl.parse(xaUrl, info);
    }

    private static String toXaUrl(String url) throws SQLException {
      if (!url.startsWith("jdbc:")) {
        throw new SQLException(
            "'" + XaUrl.redact(url) + "' is not a JDBC URL; expected jdbc:xa:<vendor-url>",
            "08001");
      }
      return XaUrl.PREFIX + url.substring("jdbc:".length());
    }
  }
}
