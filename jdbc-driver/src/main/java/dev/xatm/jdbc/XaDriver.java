package dev.xatm.jdbc;

import dev.xatm.config.Setting;
import dev.xatm.jdbc.internal.ManagedResource;
import dev.xatm.jdbc.internal.PoolConfig;
import dev.xatm.jdbc.internal.PoolDiscardedException;
import dev.xatm.jdbc.internal.TransactionSource;
import dev.xatm.jdbc.internal.XaConnectionFactory;
import dev.xatm.jdbc.internal.XaPool;
import dev.xatm.jdbc.internal.XaUrl;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * The {@code jdbc:xa:} driver: {@code DriverManager.getConnection("jdbc:xa:postgresql://h/db",
 * "app", secret)} gives a pooled connection that enlists in the JTA transaction of the JVM's
 * default xatm runtime ({@link dev.xatm.tm.spi.XatmRuntimes#current()}), looked up at each use.
 *
 * <p>One pool per distinct resource: vendor URL (with its secret parameters), XADataSource class,
 * user and password; pool settings are not part of it. The first connection to a resource fixes its
 * pool settings ({@code xatm.*} URL parameters or properties); later differing settings are
 * ignored. A pool whose first connection fails is dropped, so failed attempts leave nothing.
 *
 * <p>Registered through {@code META-INF/services/java.sql.Driver} and when the class loads.
 * Thread-safe.
 */
public final class XaDriver implements Driver {
  private static final XaDriver INSTANCE = new XaDriver();

  static {
    try {
      DriverManager.registerDriver(INSTANCE);
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Map<PoolKey, ManagedResource> pools = new ConcurrentHashMap<>();
  private final ReentrantLock creating = new ReentrantLock();

  /**
   * Public for {@link java.util.ServiceLoader}, through which {@code DriverManager} loads this
   * class. Use {@link #instance()}: only that instance is registered, and an instance made here has
   * pools of its own.
   */
  public XaDriver() {}

  /**
   * {@return the instance registered with DriverManager} Its pools serve {@code DriverManager}
   * calls; loading this class registers it.
   */
  public static XaDriver instance() {
    return INSTANCE;
  }

  /**
   * Pool identity: everything the vendor XADataSource is configured with (the vendor URL with its
   * secret parameters, the class, user, password), so two URLs that differ only in a secret never
   * share a pool. Compared, never printed: {@link #toString()} is the resource id.
   */
  private record PoolKey(
      String resourceId, String vendorUrl, String xaDataSourceClass, String password) {
    static PoolKey of(XaUrl url) {
      return new PoolKey(
          url.descriptor().resourceId(),
          url.vendorUrl(),
          url.xaDataSourceClass().orElse(null),
          url.password());
    }

    @Override
    public String toString() {
      return resourceId;
    }
  }

  /** How often {@link #connect} starts over when another caller's failure discarded its pool. */
  private static final int DISCARDED_RETRIES = 3;

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null; // JDBC: another driver's URL
    }
    XaUrl parsed = XaUrl.parse(url, info);
    PoolKey key = PoolKey.of(parsed);
    for (int attempt = 0; ; attempt++) {
      ManagedResource r = resource(parsed, key);
      try {
        return r.connection();
      } catch (PoolDiscardedException e) {
        // Another caller's first connection failed and took the pool with it before this caller
        // tried: try with a new pool (this caller's own attempt may well succeed).
        if (attempt >= DISCARDED_RETRIES) {
          throw e;
        }
      }
    }
  }

  private ManagedResource resource(XaUrl url, PoolKey key) throws SQLException {
    ManagedResource r = pools.get(key);
    if (r != null && !r.pool().isClosed()) {
      return r;
    }
    creating.lock();
    try {
      r = pools.get(key);
      if (r != null && !r.pool().isClosed()) {
        return r;
      }
      PoolConfig config;
      try {
        config = PoolConfig.defaults().with(url.settings());
      } catch (IllegalArgumentException e) {
        throw new SQLException("bad pool setting for " + url + ": " + e.getMessage(), "22023", e);
      }
      XaConnectionFactory factory =
          XaConnectionFactory.create(url, XaDriver.class.getClassLoader());
      // A pool whose first connection fails forgets itself: nothing stays per failed attempt,
      // and a later correct attempt for the same resource starts afresh.
      XaPool pool = new XaPool(factory, config, p -> forget(key, p));
      r = new ManagedResource(pool, TransactionSource.jvmDefault());
      pools.put(key, r);
      return r;
    } finally {
      creating.unlock();
    }
  }

  private void forget(PoolKey key, XaPool pool) {
    pools.computeIfPresent(key, (k, v) -> v.pool() == pool ? null : v);
  }

  @Override
  public boolean acceptsURL(String url) {
    return XaUrl.accepts(url);
  }

  /** {@return how many pools this driver runs now} */
  public int poolCount() {
    return pools.size();
  }

  /**
   * {@return the numbers of every pool this driver runs, by resource id (URL without secrets +
   * user)} Of two pools with the same id (passwords that differ) one is shown.
   */
  public Map<String, PoolStats> poolStats() {
    Map<String, PoolStats> out = new LinkedHashMap<>();
    pools.forEach((k, v) -> out.put(k.resourceId(), v.stats()));
    return out;
  }

  /**
   * {@return the numbers of the pool for a URL and user}
   *
   * @param url the {@code jdbc:xa:} URL the pool was made for
   * @param info the user and password, as given to {@code connect}; may be {@code null}
   * @throws SQLException SQLState 08003 when this driver runs no pool for them; 08001 for a
   *     malformed URL
   */
  public PoolStats poolStats(String url, Properties info) throws SQLException {
    XaUrl u = XaUrl.parse(url, info);
    ManagedResource r = pools.get(PoolKey.of(u));
    if (r == null) {
      throw new SQLException("no xatm pool for " + u, "08003");
    }
    return r.stats();
  }

  /** Closes every pool (idle connections now, borrowed ones on return). */
  public void closePools() {
    List<ManagedResource> all = new ArrayList<>(pools.values());
    pools.clear();
    all.forEach(ManagedResource::close);
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
    List<DriverPropertyInfo> out = new ArrayList<>();
    out.add(property("user", info, "database user"));
    out.add(property("password", info, "database password (never logged)"));
    out.add(
        property(
            XaUrl.XA_DATA_SOURCE_CLASS,
            info,
            "XADataSource class, for databases other than postgresql, mariadb, mysql, h2"));
    for (Setting<?> s : PoolSettings.TABLE.settings()) {
      out.add(
          property(
              s.key(), info, s.doc() + " (" + s.type() + ", default " + s.defaultText() + ")"));
    }
    return out.toArray(new DriverPropertyInfo[0]);
  }

  private static DriverPropertyInfo property(String name, Properties info, String description) {
    String value = info == null ? null : info.getProperty(name);
    DriverPropertyInfo p = new DriverPropertyInfo(name, name.equals("password") ? null : value);
    p.description = description;
    return p;
  }

  @Override
  public int getMajorVersion() {
    return 0;
  }

  @Override
  public int getMinorVersion() {
    return 1;
  }

  /** Not JDBC compliant in the TCK sense: it is a wrapper and forbids commit in transactions. */
  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("dev.xatm.jdbc");
  }

  @Override
  public String toString() {
    return "xatm jdbc:xa: driver (" + pools.size() + " pools)";
  }
}
