package dev.xatm.spring.boot;

import java.time.Duration;

/**
 * One DataSource as declared in the Spring environment: {@code xatm.datasources.<name>.*}, or the
 * pool settings {@code spring.datasource.xatm.*} of Boot's own {@code spring.datasource.*}. Bound
 * by Boot's {@code Binder}, so a bad value fails startup naming the property.
 *
 * <p>A mutable JavaBean for binding only; not thread-safe, used during startup.
 */
public class DataSourceSpec {
  private String url;
  private String username;
  private String password;
  private String xaDataSourceClass;
  private boolean primary;
  private Integer maxPoolSize;
  private Duration acquireTimeout;
  private Duration idleTimeout;
  private Duration maxLifetime;
  private Duration leakDetectionThreshold;
  private Duration validationTimeout;
  private Duration housekeepingPeriod;

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

  public Integer getMaxPoolSize() {
    return maxPoolSize;
  }

  public void setMaxPoolSize(Integer maxPoolSize) {
    this.maxPoolSize = maxPoolSize;
  }

  public Duration getAcquireTimeout() {
    return acquireTimeout;
  }

  public void setAcquireTimeout(Duration acquireTimeout) {
    this.acquireTimeout = acquireTimeout;
  }

  public Duration getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(Duration idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public Duration getMaxLifetime() {
    return maxLifetime;
  }

  public void setMaxLifetime(Duration maxLifetime) {
    this.maxLifetime = maxLifetime;
  }

  public Duration getLeakDetectionThreshold() {
    return leakDetectionThreshold;
  }

  public void setLeakDetectionThreshold(Duration leakDetectionThreshold) {
    this.leakDetectionThreshold = leakDetectionThreshold;
  }

  public Duration getValidationTimeout() {
    return validationTimeout;
  }

  public void setValidationTimeout(Duration validationTimeout) {
    this.validationTimeout = validationTimeout;
  }

  public Duration getHousekeepingPeriod() {
    return housekeepingPeriod;
  }

  public void setHousekeepingPeriod(Duration housekeepingPeriod) {
    this.housekeepingPeriod = housekeepingPeriod;
  }

  @Override
  public String toString() {
    // No URL: a vendor URL may carry a password parameter.
    return "DataSourceSpec[username=" + username + (password == null ? "" : ", password set") + "]";
  }
}
