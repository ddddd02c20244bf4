package dev.xatm.jdbc;

import dev.xatm.jdbc.internal.XaUrl;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.XADataSource;

/**
 * How the TM's recovery reaches the database of a DataSource before any pool of it exists: the
 * secret-free {@code jdbc:xa:} URL, the user and the password, sorted out of a URL and the
 * credentials given beside it exactly as {@link XatmDataSource.Builder#build()} sorts them. So a
 * password in the URL ({@code ?password=}, {@code ;PASSWORD=}, {@code //user:password@host}) moves
 * to {@link #password()}, and {@link #descriptor()} is the pool's {@link
 * XatmDataSource#descriptor()}: configured as {@code
 * xatm.recovery.resource.<name>.url/user/password}, the recipe and the resource the pool registers
 * in the log are one target of recovery.
 *
 * <pre>{@code
 * RecoveryRecipe r = RecoveryRecipe.of(
 *     "jdbc:postgresql://db1:5432/bank?user=app&password=" + secret, null, null, null);
 * r.url();       // jdbc:xa:postgresql://db1:5432/bank
 * r.user();      // app
 * r.password();  // the secret: hand it to the TM's configuration, never to a message
 * }</pre>
 *
 * <p>Vendor parameters that look like secrets ({@code sslpassword}, ...) are not in the recipe
 * (recovery keeps URLs secret-free, and has no key for them); {@link #leftOutParameters()} names
 * them so the caller can warn. Immutable; {@link #toString()} shows no password.
 */
public final class RecoveryRecipe {
  private final XaUrl parsed;
  private final boolean passwordKnown;

  private RecoveryRecipe(XaUrl parsed, boolean passwordKnown) {
    this.parsed = parsed;
    this.passwordKnown = passwordKnown;
  }

  /**
   * The recipe of a DataSource built from these values.
   *
   * @param url {@code jdbc:xa:<vendor-url>} or a plain vendor URL ({@code jdbc:postgresql:...})
   * @param user the user given beside the URL, or null; wins over a user in the URL
   * @param password the password given beside the URL, or null; wins over one in the URL
   * @param xaDataSourceClass the vendor's XADataSource class, or null; kept in the recipe's URL
   * @return the recipe
   * @throws SQLException SQLState 08001 when the URL is malformed; the message shows no password
   */
  public static RecoveryRecipe of(
      String url, String user, String password, String xaDataSourceClass) throws SQLException {
    Objects.requireNonNull(url, "url");
    return new RecoveryRecipe(
        XatmDataSource.Builder.parseUrl(url, user, password, xaDataSourceClass), true);
  }

  /** XADataSource classes whose URL, as they report it, is a recipe; their vendor parameters. */
  private static final Map<String, String> READABLE =
      Map.of(
          "org.postgresql.xa.PGXADataSource", "PostgreSQL",
          "org.mariadb.jdbc.MariaDbDataSource", "MariaDB");

  /**
   * The recipe of an XADataSource its owner configured (Spring Boot's {@code
   * spring.datasource.xa.*}, an application bean), to build a pool on it with {@link
   * XatmDataSource.Builder#xaDataSource}: the URL it reports ({@code getUrl()}), its user ({@code
   * getUser()}) and its password.
   *
   * <p>Known: pgjdbc's {@code PGXADataSource} (its URL lists every driver default after {@code
   * setUrl}; those are left out, a new instance applies them anyway) and MariaDB Connector/J's
   * {@code MariaDbDataSource} (its URL shows the password as {@code ***}; it is left out).
   *
   * @param configured the configured instance; only read
   * @param password what it was configured with; {@code null} to read it from its {@code
   *     getPassword()} (pgjdbc has one; MariaDB Connector/J has none, and then {@link
   *     #passwordKnown()} is false)
   * @return the recipe
   * @throws SQLException SQLState 08001 for any other class, naming it, or a URL that is malformed
   */
  public static RecoveryRecipe of(XADataSource configured, String password) throws SQLException {
    Objects.requireNonNull(configured, "configured");
    String className = configured.getClass().getName();
    if (!READABLE.containsKey(className)) {
      throw new SQLException(
          "xatm cannot tell recovery how to reconnect to a configured "
              + className
              + ": it reads the URL of "
              + String.join(" and ", new TreeMap<>(READABLE).keySet())
              + " only. Build the pool from the URL instead: jdbc:xa:<vendor-url> with"
              + " xaDataSourceClass="
              + className,
          "08001");
    }
    String url = (String) call(configured, "getUrl");
    if (url == null || url.isBlank()) {
      throw new SQLException(
          "the configured " + className + " has no URL, so recovery could not reconnect to it",
          "08001");
    }
    String user = (String) call(configured, "getUser");
    boolean known = password != null;
    if (!known && hasMethod(configured, "getPassword")) {
      password = (String) call(configured, "getPassword");
      known = true;
    }
    String recipeUrl = withoutParameters(url, defaults(configured, url), Set.of("password"));
    XaUrl parsed =
        XatmDataSource.Builder.parseUrl(
            recipeUrl, user == null || user.isEmpty() ? null : user, password, null);
    return new RecoveryRecipe(parsed, known);
  }

  /**
   * The {@code name=value} pairs a new instance reports after {@code setUrl} of the same host and
   * database: pgjdbc lists every default.
   */
  private static Set<String> defaults(XADataSource configured, String url) throws SQLException {
    int q = url.indexOf('?');
    if (q < 0) {
      return Set.of();
    }
    try {
      Object fresh = configured.getClass().getConstructor().newInstance();
      fresh.getClass().getMethod("setUrl", String.class).invoke(fresh, url.substring(0, q));
      String freshUrl = (String) call(fresh, "getUrl");
      int fq = freshUrl == null ? -1 : freshUrl.indexOf('?');
      return fq < 0 ? Set.of() : Set.of(freshUrl.substring(fq + 1).split("&"));
    } catch (ReflectiveOperationException e) {
      return Set.of(); // the recipe keeps them: longer, not wrong
    }
  }

  private static String withoutParameters(String url, Set<String> pairs, Set<String> names) {
    int q = url.indexOf('?');
    if (q < 0) {
      return url;
    }
    StringBuilder sb = new StringBuilder(url.substring(0, q));
    char sep = '?';
    for (String pair : url.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String name = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
      if (pair.isEmpty() || pairs.contains(pair) || names.contains(name)) {
        continue;
      }
      sb.append(sep).append(pair);
      sep = '&';
    }
    return sb.toString();
  }

  private static boolean hasMethod(Object target, String name) {
    try {
      target.getClass().getMethod(name);
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  private static Object call(Object target, String getter) throws SQLException {
    try {
      return target.getClass().getMethod(getter).invoke(target);
    } catch (ReflectiveOperationException e) {
      // Not the cause's text: a getter's failure could quote configuration values.
      throw new SQLException(
          "cannot call " + getter + "() of " + target.getClass().getName() + ": " + e.getClass(),
          "08001");
    }
  }

  /**
   * {@return false when the recipe of a configured XADataSource has no password because the
   * instance does not reveal it (MariaDB Connector/J) and none was given} Recovery then needs it
   * configured.
   */
  public boolean passwordKnown() {
    return passwordKnown;
  }

  /**
   * {@return the {@code jdbc:xa:} URL without user, password, secret parameters and pool settings}
   */
  public String url() {
    return parsed.safeUrl();
  }

  /** {@return the user, or null} */
  public String user() {
    return parsed.user();
  }

  /** {@return the password, or null} Never put it in a message, a log line or {@code toString}. */
  public String password() {
    return parsed.password();
  }

  /**
   * {@return names of the vendor parameters left out as secrets ({@code sslpassword})} Often empty.
   */
  public List<String> leftOutParameters() {
    return parsed.secretParameters();
  }

  /**
   * {@return the descriptor a pool of the same URL and credentials registers (id {@code user@url})}
   */
  public ResourceDescriptor descriptor() {
    return parsed.descriptor();
  }

  @Override
  public String toString() {
    return "RecoveryRecipe["
        + parsed.safeUrl()
        + (parsed.user() == null ? "" : ", user " + parsed.user())
        + (parsed.password() == null ? "" : ", password set")
        + "]";
  }
}
