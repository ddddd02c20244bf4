package dev.xatm.jdbc.internal;

import java.util.Locale;
import java.util.Optional;

/**
 * The databases the driver knows by URL subprotocol: which XADataSource to instantiate, where it
 * comes from, and how that vendor's JDBC URL carries parameters.
 *
 * <p>Immutable; safe for any thread.
 */
public enum Vendor {
  POSTGRESQL(
      "postgresql", "org.postgresql.xa.PGXADataSource", "org.postgresql:postgresql", '?', "jdbc:"),
  /** MariaDB Connector/J: {@code MariaDbDataSource} implements XADataSource itself. */
  MARIADB(
      "mariadb",
      "org.mariadb.jdbc.MariaDbDataSource",
      "org.mariadb.jdbc:mariadb-java-client",
      '?',
      "jdbc:"),
  /**
   * MySQL URLs are served by MariaDB Connector/J, which only accepts {@code jdbc:mysql:} with an
   * extra flag; the vendor URL is rewritten to {@code jdbc:mariadb:} instead.
   */
  MYSQL(
      "mysql",
      "org.mariadb.jdbc.MariaDbDataSource",
      "org.mariadb.jdbc:mariadb-java-client",
      '?',
      "jdbc:mariadb:"),
  H2("h2", "org.h2.jdbcx.JdbcDataSource", "com.h2database:h2", ';', "jdbc:"),
  /** Any other subprotocol, usable only with an explicit {@code xaDataSourceClass}. */
  OTHER("", null, null, '?', "jdbc:");

  private final String subprotocol;
  private final String xaDataSourceClass;
  private final String mavenCoordinates;
  private final char parameterStyle;
  private final String vendorPrefix;

  Vendor(
      String subprotocol,
      String xaDataSourceClass,
      String mavenCoordinates,
      char parameterStyle,
      String vendorPrefix) {
    this.subprotocol = subprotocol;
    this.xaDataSourceClass = xaDataSourceClass;
    this.mavenCoordinates = mavenCoordinates;
    this.parameterStyle = parameterStyle;
    this.vendorPrefix = vendorPrefix;
  }

  /** The vendor for a subprotocol, or {@link #OTHER}. */
  public static Vendor forSubprotocol(String subprotocol) {
    String s = subprotocol.toLowerCase(Locale.ROOT);
    for (Vendor v : values()) {
      if (v != OTHER && v.subprotocol.equals(s)) {
        return v;
      }
    }
    return OTHER;
  }

  /** The XADataSource class used when the URL names none, if this vendor has a default. */
  public Optional<String> defaultXaDataSourceClass() {
    return Optional.ofNullable(xaDataSourceClass);
  }

  /** Maven coordinates of the vendor driver, for error messages. */
  public Optional<String> mavenCoordinates() {
    return Optional.ofNullable(mavenCoordinates);
  }

  /** {@code '?'} for {@code ?a=b&c=d} URLs, {@code ';'} for {@code ;A=b;C=d} URLs (H2). */
  char parameterStyle() {
    return parameterStyle;
  }

  /**
   * The vendor JDBC URL for the part after {@code jdbc:xa:}: {@code postgresql://h/db} becomes
   * {@code jdbc:postgresql://h/db}; {@code mysql://h/db} becomes {@code jdbc:mariadb://h/db}.
   */
  String vendorUrl(String afterXaPrefix) {
    if (vendorPrefix.equals("jdbc:")) {
      return "jdbc:" + afterXaPrefix;
    }
    return vendorPrefix + afterXaPrefix.substring(afterXaPrefix.indexOf(':') + 1);
  }

  /** True for a PostgreSQL server, which needs {@code max_prepared_transactions > 0}. */
  public boolean isPostgreSql() {
    return this == POSTGRESQL;
  }
}
