package dev.xatm.jdbc.internal;

import dev.xatm.tm.spi.ResourceDescriptor;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A parsed {@code jdbc:xa:<vendor-url>}: the vendor URL to configure the XADataSource with, the
 * credentials, the driver's own settings ({@code xaDataSourceClass}, {@code xatm.*}) and the
 * secret-free form that identifies the resource for recovery.
 *
 * <p>Parameters come from the URL and from {@link Properties}; a property wins over the same URL
 * parameter. {@code user} and {@code password} are removed from the vendor URL and set through the
 * XADataSource's setters, so no vendor sees them twice. {@link #toString()} and every message built
 * here leave the password out. Immutable; safe for any thread.
 */
public final class XaUrl {
  public static final String PREFIX = "jdbc:xa:";
  public static final String XA_DATA_SOURCE_CLASS = "xaDataSourceClass";
  public static final String SETTING_PREFIX = "xatm.";

  private static final Pattern SUBPROTOCOL = Pattern.compile("[a-zA-Z][a-zA-Z0-9_-]*");
  private static final Pattern SECRET_PARAMETER =
      Pattern.compile(
          "(?i)([?&;][^=&;?]*(?:password|passwd|pwd|secret|token|credential)[^=&;?]*=)[^&;]*");
  // The password of a user-info: up to the last '@' before the next '/', or (for a password with
  // an unencoded '/') up to the last '@' before the parameters. Over-redacting a message is
  // harmless; showing a password is not.
  private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/:@?#;]*):[^/]*@");
  private static final Pattern USERINFO_PASSWORD_WITH_SLASH =
      Pattern.compile("(//[^/:@?#;]*):[^@?#;]*@");

  private final Vendor vendor;
  private final String vendorUrl;
  private final String safeUrl;
  private final String user;
  private final String password;
  private final String xaDataSourceClass;
  private final Map<String, String> settings;
  private final List<String> secrets;

  private XaUrl(
      Vendor vendor,
      String vendorUrl,
      String safeUrl,
      String user,
      String password,
      String xaDataSourceClass,
      Map<String, String> settings,
      List<String> secrets) {
    this.vendor = vendor;
    this.vendorUrl = vendorUrl;
    this.safeUrl = safeUrl;
    this.user = user;
    this.password = password;
    this.xaDataSourceClass = xaDataSourceClass;
    this.settings = Map.copyOf(settings);
    this.secrets = List.copyOf(secrets);
  }

  /** True for URLs this driver serves: {@code jdbc:xa:} followed by something. */
  public static boolean accepts(String url) {
    return url != null && url.startsWith(PREFIX) && url.length() > PREFIX.length();
  }

  /**
   * The URL with passwords replaced by {@code ***}, for messages about a URL that may not parse.
   */
  public static String redact(String url) {
    if (url == null) {
      return "null";
    }
    String s = SECRET_PARAMETER.matcher(url).replaceAll("$1***");
    s = USERINFO_PASSWORD.matcher(s).replaceAll("$1:***@");
    return USERINFO_PASSWORD_WITH_SLASH.matcher(s).replaceAll("$1:***@");
  }

  /**
   * Parses a {@code jdbc:xa:} URL.
   *
   * @param info properties from {@code DriverManager} or a DataSource; may be null
   * @throws SQLException SQLState 08001 when the URL is malformed
   */
  public static XaUrl parse(String url, Properties info) throws SQLException {
    if (url == null || !url.startsWith(PREFIX)) {
      throw malformed(url, "it does not start with " + PREFIX);
    }
    String rest = url.substring(PREFIX.length());
    int colon = rest.indexOf(':');
    if (colon <= 0 || colon == rest.length() - 1) {
      throw malformed(url, "no vendor URL follows " + PREFIX);
    }
    String subprotocol = rest.substring(0, colon);
    if (!SUBPROTOCOL.matcher(subprotocol).matches()) {
      throw malformed(url, "'" + subprotocol + "' is not a JDBC subprotocol");
    }
    Vendor vendor = Vendor.forSubprotocol(subprotocol);
    char style = vendor.parameterStyle();
    if (vendor == Vendor.OTHER && rest.indexOf('?') < 0 && rest.indexOf(';') >= 0) {
      style = ';';
    }
    int split = rest.indexOf(style);
    String base = split < 0 ? rest : rest.substring(0, split);
    List<String[]> parameters =
        split < 0 ? List.of() : parameters(rest.substring(split + 1), style);

    String urlUser = null;
    String urlPassword = null;
    String xaClass = null;
    Map<String, String> settings = new LinkedHashMap<>();
    List<String[]> vendorParameters = new ArrayList<>();
    List<String[]> safeParameters = new ArrayList<>();
    List<String> secrets = new ArrayList<>();
    for (String[] p : parameters) {
      String key = p[0];
      String lower = key.toLowerCase(Locale.ROOT);
      if (lower.equals("user")) {
        urlUser = p[1];
      } else if (lower.equals("password")) {
        urlPassword = p[1];
      } else if (key.equalsIgnoreCase(XA_DATA_SOURCE_CLASS)) {
        xaClass = p[1];
        safeParameters.add(p);
      } else if (lower.startsWith(SETTING_PREFIX)) {
        settings.put(key.substring(SETTING_PREFIX.length()), p[1]);
      } else {
        vendorParameters.add(p);
        if (isSecret(key)) {
          secrets.add(p[1]);
        } else {
          safeParameters.add(p);
        }
      }
    }
    UserInfo userInfo = UserInfo.split(url, base, vendor);
    String user = urlUser;
    String password = urlPassword;
    if (userInfo != null) {
      if (userInfo.user() != null && urlUser != null) {
        throw credentialsMalformed(
            url, base, userInfo, "it names the user twice, in the user-info and as ?user=");
      }
      if (userInfo.password() != null && urlPassword != null) {
        throw credentialsMalformed(
            url, base, userInfo, "it gives the password twice, in the user-info and as ?password=");
      }
      if (userInfo.user() != null) {
        user = userInfo.user();
      }
      if (userInfo.password() != null) {
        password = userInfo.password();
      }
    }
    String safeBase = userInfo == null ? base : userInfo.baseWithout();
    if (info != null) {
      for (String key : info.stringPropertyNames()) {
        String value = info.getProperty(key);
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.equals("user")) {
          user = value;
        } else if (lower.equals("password")) {
          password = value;
        } else if (key.equalsIgnoreCase(XA_DATA_SOURCE_CLASS)) {
          xaClass = value;
        } else if (lower.startsWith(SETTING_PREFIX)) {
          settings.put(key.substring(SETTING_PREFIX.length()), value);
        }
      }
    }
    if (xaClass != null && xaClass.isBlank()) {
      throw malformed(url, XA_DATA_SOURCE_CLASS + " is empty");
    }
    if (user != null && user.isEmpty()) {
      user = null;
    }
    if (password != null) {
      secrets.add(password);
    }
    // The vendor gets the URL without user-info: the credentials go through setUser/setPassword,
    // so a vendor that cannot parse user-info (pgjdbc, Connector/J) never sees, or echoes, them.
    String vendorUrl = vendor.vendorUrl(join(safeBase, vendorParameters, style));
    String safeUrl = PREFIX + join(safeBase, safeParameters, style);
    return new XaUrl(vendor, vendorUrl, safeUrl, user, password, xaClass, settings, secrets);
  }

  private static List<String[]> parameters(String s, char style) {
    List<String[]> out = new ArrayList<>();
    String separator = style == '?' ? "&" : ";";
    for (String part : s.split(Pattern.quote(separator))) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      out.add(
          eq < 0
              ? new String[] {part, ""}
              : new String[] {part.substring(0, eq), part.substring(eq + 1)});
    }
    return out;
  }

  private static String join(String base, List<String[]> parameters, char style) {
    StringBuilder sb = new StringBuilder(base);
    boolean first = true;
    for (String[] p : parameters) {
      sb.append(style == '?' ? (first ? '?' : '&') : ';');
      sb.append(p[0]);
      if (!p[1].isEmpty()) {
        sb.append('=').append(p[1]);
      }
      first = false;
    }
    return sb.toString();
  }

  private static boolean isSecret(String key) {
    return SECRET_PARAMETER.matcher("?" + key + "=x").matches();
  }

  private static SQLException credentialsMalformed(
      String url, String base, UserInfo info, String why) {
    return credentialsMalformed(
        PREFIX + info.baseHidden() + url.substring(PREFIX.length() + base.length()), why);
  }

  /** A refused credential form; {@code shown} already has the user-info hidden. */
  static SQLException credentialsMalformed(String shown, String why) {
    return new SQLException(
        "malformed xatm URL '"
            + redact(shown)
            + "': "
            + why
            + ". Give the credentials as user-info, percent-encoded as RFC 3986 requires ('%40'"
            + " for '@', '%2F' for '/', '%3F' for '?', '%23' for '#', '%25' for '%', '%3A' for"
            + " ':' in the user): jdbc:xa:postgresql://user:password@host:5432/db; or as URL"
            + " parameters: jdbc:xa:postgresql://host:5432/db?user=app&password=...; or as the"
            + " properties user and password (they win over the URL)",
        "08001");
  }

  private static SQLException malformed(String url, String why) {
    return new SQLException(
        "malformed xatm URL '"
            + redact(url)
            + "': "
            + why
            + ". Expected jdbc:xa:<vendor JDBC URL without 'jdbc:'>, for example"
            + " jdbc:xa:postgresql://db1:5432/bank?user=app or jdbc:xa:h2:file:./data/orders",
        "08001");
  }

  public Vendor vendor() {
    return vendor;
  }

  /** The vendor JDBC URL without user, password and the driver's own parameters. */
  public String vendorUrl() {
    return vendorUrl;
  }

  /** The {@code jdbc:xa:} URL without user, secrets and pool settings: the recovery recipe. */
  public String safeUrl() {
    return safeUrl;
  }

  public String user() {
    return user;
  }

  /** The password; never put it in a message, a log line or {@code toString}. */
  public String password() {
    return password;
  }

  /**
   * Every secret this URL carries (the password, values of secret-like vendor parameters such as
   * {@code sslpassword}), so that messages from the vendor can be cleaned of them. Never print.
   */
  public List<String> secrets() {
    return secrets;
  }

  public Optional<String> xaDataSourceClass() {
    return Optional.ofNullable(xaDataSourceClass);
  }

  /** {@code xatm.*} parameters of the URL and properties, without the prefix. */
  public Map<String, String> settings() {
    return settings;
  }

  /** Identity for recovery and pool keys: the secret-free URL plus the user. */
  public ResourceDescriptor descriptor() {
    String id = user == null ? safeUrl : user + "@" + safeUrl;
    return new ResourceDescriptor(id, safeUrl, user);
  }

  @Override
  public String toString() {
    return user == null ? safeUrl : safeUrl + " (user " + user + ")";
  }
}
