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

  /** {@code jdbc:xa:<vendor-url>} or a plain vendor URL ({@code jdbc:postgresql://...}). */
  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getUsername() {
    return username;
  }

  public void setUsername(String username) {
    this.username = username;
  }

  /** The password; never logged. Empty or unset: none. */
  public String getPassword() {
    return password;
  }

  public void setPassword(String password) {
    this.password = password;
  }

  /** The vendor's XADataSource class, for databases xatm does not know by URL. */
  public String getXaDataSourceClass() {
    return xaDataSourceClass;
  }

  public void setXaDataSourceClass(String xaDataSourceClass) {
    this.xaDataSourceClass = xaDataSourceClass;
  }

  /** Whether this DataSource is the {@code @Primary} one (the one Boot's JPA and JDBC use). */
  public boolean isPrimary() {
    return primary;
  }

  public void setPrimary(boolean primary) {
    this.primary = primary;
  }

  /**
   * The pool settings as written, by property name under the DataSource's prefix ({@code max-size},
   * {@code acquire-timeout}, ...: the keys of {@link dev.xatm.jdbc.PoolSettings} without {@code
   * xatm.pool.}); values in xatm's syntax, checked when the pool is built.
   */
  public Map<String, String> pool() {
    return pool;
  }

  /** {@code xatm.pool.max-size}. */
  public String getMaxSize() {
    return pool.get("max-size");
  }

  public void setMaxSize(String v) {
    pool.put("max-size", v);
  }

  /** The name before issue 12; accepted this release with a WARNING naming {@code max-size}. */
  public String getMaxPoolSize() {
    return pool.get("max-pool-size");
  }

  public void setMaxPoolSize(String v) {
    pool.put("max-pool-size", v);
  }

  /** {@code xatm.pool.acquire-timeout}, e.g. {@code 2s}. */
  public String getAcquireTimeout() {
    return pool.get("acquire-timeout");
  }

  public void setAcquireTimeout(String v) {
    pool.put("acquire-timeout", v);
  }

  /** {@code xatm.pool.idle-timeout}. */
  public String getIdleTimeout() {
    return pool.get("idle-timeout");
  }

  public void setIdleTimeout(String v) {
    pool.put("idle-timeout", v);
  }

  /** {@code xatm.pool.max-lifetime}. */
  public String getMaxLifetime() {
    return pool.get("max-lifetime");
  }

  public void setMaxLifetime(String v) {
    pool.put("max-lifetime", v);
  }

  /** {@code xatm.pool.leak-detection-threshold}. */
  public String getLeakDetectionThreshold() {
    return pool.get("leak-detection-threshold");
  }

  public void setLeakDetectionThreshold(String v) {
    pool.put("leak-detection-threshold", v);
  }

  /** {@code xatm.pool.validation-timeout}. */
  public String getValidationTimeout() {
    return pool.get("validation-timeout");
  }

  public void setValidationTimeout(String v) {
    pool.put("validation-timeout", v);
  }

  /** {@code xatm.pool.housekeeping-period}. */
  public String getHousekeepingPeriod() {
    return pool.get("housekeeping-period");
  }

  public void setHousekeepingPeriod(String v) {
    pool.put("housekeeping-period", v);
  }

  @Override
  public String toString() {
    // No URL: a vendor URL may carry a password parameter.
    return "DataSourceSpec[username=" + username + (password == null ? "" : ", password set") + "]";
  }
}
