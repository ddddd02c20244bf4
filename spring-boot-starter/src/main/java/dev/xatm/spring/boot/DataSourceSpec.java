package dev.xatm.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One DataSource as declared in the Spring environment: {@code xatm.datasources.<name>.*}, or the
 * pool settings {@code spring.datasource.xatm.*} of Boot's own {@code spring.datasource.*}. Bound
 * by Boot's {@code Binder}; the pool settings are text in xatm's syntax, checked against {@link
 * dev.xatm.jdbc.PoolSettings} when the pool is built (a bad value fails startup naming the property
 * as written).
 *
 * <p>A mutable JavaBean for binding only; not thread-safe, used during startup.
 */
public class DataSourceSpec {
  private String url;
  private String username;
  private String password;
  private String xaDataSourceClass;
  private boolean primary;

  /** Pool settings as written: property name under the DataSource's prefix to value. */
  private final Map<String, String> pool = new LinkedHashMap<>();

  /** Creates an empty spec; Boot's {@code Binder} sets its properties. */
  public DataSourceSpec() {}

  /**
   * {@return the URL: {@code jdbc:xa:<vendor-url>} or a plain vendor URL ({@code
   * jdbc:postgresql://...})}
   */
  public String getUrl() {
    return url;
  }

  /**
   * Sets {@link #getUrl()}.
   *
   * @param url the URL
   */
  public void setUrl(String url) {
    this.url = url;
  }

  /** {@return the database user, or {@code null}} */
  public String getUsername() {
    return username;
  }

  /**
   * Sets {@link #getUsername()}.
   *
   * @param username the database user
   */
  public void setUsername(String username) {
    this.username = username;
  }

  /** {@return the password; never logged} Empty or unset: none. */
  public String getPassword() {
    return password;
  }

  /**
   * Sets {@link #getPassword()}.
   *
   * @param password the password
   */
  public void setPassword(String password) {
    this.password = password;
  }

  /**
   * {@return the vendor's XADataSource class, for databases xatm does not know by URL, or {@code
   * null}}
   */
  public String getXaDataSourceClass() {
    return xaDataSourceClass;
  }

  /**
   * Sets {@link #getXaDataSourceClass()}.
   *
   * @param xaDataSourceClass the fully qualified class name
   */
  public void setXaDataSourceClass(String xaDataSourceClass) {
    this.xaDataSourceClass = xaDataSourceClass;
  }

  /**
   * {@return whether this DataSource is the {@code @Primary} one (the one Boot's JPA and JDBC use)}
   */
  public boolean isPrimary() {
    return primary;
  }

  /**
   * Sets {@link #isPrimary()}.
   *
   * @param primary whether this DataSource is the primary one
   */
  public void setPrimary(boolean primary) {
    this.primary = primary;
  }

  /**
   * The pool settings as written, by property name under the DataSource's prefix ({@code max-size},
   * {@code acquire-timeout}, ...: the keys of {@link dev.xatm.jdbc.PoolSettings} without {@code
   * xatm.pool.}); values in xatm's syntax, checked when the pool is built.
   *
   * @return the live map the setters below write to
   */
  public Map<String, String> pool() {
    return pool;
  }

  /** {@return the value of {@code xatm.pool.max-size} as written, or {@code null}} */
  public String getMaxSize() {
    return pool.get("max-size");
  }

  /**
   * Sets {@link #getMaxSize()}.
   *
   * @param v the value in xatm's syntax, checked when the pool is built
   */
  public void setMaxSize(String v) {
    pool.put("max-size", v);
  }

  /**
   * {@return the pool size under its name before issue 12, {@code max-pool-size}} Accepted this
   * release with a WARNING naming {@code max-size}.
   */
  public String getMaxPoolSize() {
    return pool.get("max-pool-size");
  }

  /**
   * Sets {@link #getMaxPoolSize()}.
   *
   * @param v the value in xatm's syntax, checked when the pool is built
   */
  public void setMaxPoolSize(String v) {
    pool.put("max-pool-size", v);
  }

  /**
   * {@return the value of {@code xatm.pool.acquire-timeout} as written, e.g. {@code 2s}, or {@code
   * null}}
   */
  public String getAcquireTimeout() {
    return pool.get("acquire-timeout");
  }

  /**
   * Sets {@link #getAcquireTimeout()}.
   *
   * @param v the value in xatm's syntax, checked when the pool is built
   */
  public void setAcquireTimeout(String v) {
    pool.put("acquire-timeout", v);
  }

  /** {@return the value of {@code xatm.pool.idle-timeout} as written, or {@code null}} */
  public String getIdleTimeout() {
    return pool.get("idle-timeout");
  }

  /**
   * Sets {@link #getIdleTimeout()}.
   *
   * @param v the value in xatm's syntax, checked when the pool is built
   */
  public void setIdleTimeout(String v) {
    pool.put("idle-timeout", v);
  }

  /** {@return the value of {@code xatm.pool.max-lifetime} as written, or {@code null}} */
  public String getMaxLifetime() {
    return pool.get("max-lifetime");
  }

  /**
   * Sets {@link #getMaxLifetime()}.
   *
   * @param v the value in xatm's syntax, checked when the pool is built
   */
  public void setMaxLifetime(String v) {
    pool.put("max-lifetime", v);
  }

  /**
   * {@return the value of {@code xatm.pool.leak-detection-threshold} as written, or {@code null}}
   */
  public String getLeakDetectionThreshold() {
    return pool.get("leak-detection-threshold");
  }

  /**
   * Sets {@link #getLeakDetectionThreshold()}.
   *
   * @param v the value in xatm's syntax, checked when the pool is built
   */
  public void setLeakDetectionThreshold(String v) {
    pool.put("leak-detection-threshold", v);
  }

  /** {@return the value of {@code xatm.pool.validation-timeout} as written, or {@code null}} */
  public String getValidationTimeout() {
    return pool.get("validation-timeout");
  }

  /**
   * Sets {@link #getValidationTimeout()}.
   *
   * @param v the value in xatm's syntax, checked when the pool is built
   */
  public void setValidationTimeout(String v) {
    pool.put("validation-timeout", v);
  }

  /** {@return the value of {@code xatm.pool.housekeeping-period} as written, or {@code null}} */
  public String getHousekeepingPeriod() {
    return pool.get("housekeeping-period");
  }

  /**
   * Sets {@link #getHousekeepingPeriod()}.
   *
   * @param v the value in xatm's syntax, checked when the pool is built
   */
  public void setHousekeepingPeriod(String v) {
    pool.put("housekeeping-period", v);
  }

  @Override
  public String toString() {
    // No URL: a vendor URL may carry a password parameter.
    return "DataSourceSpec[username=" + username + (password == null ? "" : ", password set") + "]";
  }
}
