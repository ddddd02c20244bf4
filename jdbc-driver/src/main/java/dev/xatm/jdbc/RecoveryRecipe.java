package dev.xatm.jdbc;

import dev.xatm.jdbc.internal.XaUrl;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

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

  private RecoveryRecipe(XaUrl parsed) {
    this.parsed = parsed;
  }

  /**
   * The recipe of a DataSource built from these values.
   *
   * @param url {@code jdbc:xa:<vendor-url>} or a plain vendor URL ({@code jdbc:postgresql:...})
   * @param user the user given beside the URL, or null; wins over a user in the URL
   * @param password the password given beside the URL, or null; wins over one in the URL
   * @param xaDataSourceClass the vendor's XADataSource class, or null; kept in the recipe's URL
   * @throws SQLException SQLState 08001 when the URL is malformed; the message shows no password
   */
  public static RecoveryRecipe of(
      String url, String user, String password, String xaDataSourceClass) throws SQLException {
    Objects.requireNonNull(url, "url");
    return new RecoveryRecipe(
        XatmDataSource.Builder.parseUrl(url, user, password, xaDataSourceClass));
  }

  /** The {@code jdbc:xa:} URL without user, password, secret parameters and pool settings. */
  public String url() {
    return parsed.safeUrl();
  }

  /** The user, or null. */
  public String user() {
    return parsed.user();
  }

  /** The password, or null; never put it in a message, a log line or {@code toString}. */
  public String password() {
    return parsed.password();
  }

  /** Names of the vendor parameters left out as secrets ({@code sslpassword}); often empty. */
  public List<String> leftOutParameters() {
    return parsed.secretParameters();
  }

  /** The descriptor a pool of the same URL and credentials registers (id {@code user@url}). */
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
