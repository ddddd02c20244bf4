package dev.xatm.jdbc.internal;

import dev.xatm.tm.spi.ResourceDescriptor;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
  private final List<String> secretParameters;

  private XaUrl(
      Vendor vendor,
      String vendorUrl,
      String safeUrl,
      String user,
      String password,
      String xaDataSourceClass,
      Map<String, String> settings,
      List<String> secrets,
      List<String> secretParameters) {
    this.vendor = vendor;
    this.vendorUrl = vendorUrl;
    this.safeUrl = safeUrl;
    this.user = user;
    this.password = password;
    this.xaDataSourceClass = xaDataSourceClass;
    this.settings = Map.copyOf(settings);
    this.secrets = List.copyOf(secrets);
    this.secretParameters = List.copyOf(secretParameters);
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

    Parts parts = new Parts();
    for (String[] p : parameters) {
      parts.addUrlParameter(p, vendor, url);
    }
    UserInfo userInfo = UserInfo.split(url, base, vendor);
    String user = parts.urlUser;
    String password = parts.urlPassword;
    if (userInfo != null) {
      if (userInfo.user() != null && user != null) {
        throw credentialsMalformed(
            url, base, userInfo, "it names the user twice, in the user-info and as ?user=");
      }
      if (userInfo.password() != null && password != null) {
        throw credentialsMalformed(
            url, base, userInfo, "it gives the password twice, in the user-info and as ?password=");
      }
      user = userInfo.user() != null ? userInfo.user() : user;
      password = userInfo.password() != null ? userInfo.password() : password;
    }
    String safeBase = userInfo == null ? base : userInfo.baseWithout();
    if (info != null) {
      // Properties win over the URL, for credentials as for everything else.
      for (String key : info.stringPropertyNames()) {
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.equals("user")) {
          user = info.getProperty(key);
        } else if (lower.equals("password")) {
          password = info.getProperty(key);
        }
      }
      parts.addProperties(info);
    }
    if (parts.xaClass != null && parts.xaClass.isBlank()) {
      throw malformed(url, XA_DATA_SOURCE_CLASS + " is empty");
    }
    if (user != null && user.isEmpty()) {
      user = null;
    }
    if (password != null) {
      parts.secrets.add(password);
    }
    // The vendor gets the URL without user-info: the credentials go through setUser/setPassword,
    // so a vendor that cannot parse user-info (pgjdbc, Connector/J) never sees, or echoes, them.
    String vendorUrl = vendor.vendorUrl(join(safeBase, parts.vendorParameters, style));
    String safeUrl = PREFIX + join(safeBase, parts.safeParameters, style);
    return new XaUrl(
        vendor,
        vendorUrl,
        safeUrl,
        user,
        password,
        parts.xaClass,
        parts.settings,
        parts.secrets,
        parts.secretParameters);
  }

  /** What {@link #parse} sorts the parameters into; used by one parse only. */
  private static final class Parts {
    String urlUser;
    String urlPassword;
    String xaClass;
    final Map<String, String> settings = new LinkedHashMap<>();
    final List<String[]> vendorParameters = new ArrayList<>();
    final List<String[]> safeParameters = new ArrayList<>();
    final List<String> secrets = new ArrayList<>();
    final List<String> secretParameters = new ArrayList<>();

    void addUrlParameter(String[] p, Vendor vendor, String url) throws SQLException {
      String key = p[0];
      String lower = key.toLowerCase(Locale.ROOT);
      if (lower.equals("user")) {
        urlUser = credential(p[1], vendor, url);
      } else if (lower.equals("password")) {
        secrets.add(p[1]);
        urlPassword = credential(p[1], vendor, url);
      } else if (key.equalsIgnoreCase(XA_DATA_SOURCE_CLASS)) {
        xaClass = p[1];
        safeParameters.add(p);
      } else if (lower.startsWith(SETTING_PREFIX)) {
        settings.put(key.substring(SETTING_PREFIX.length()), p[1]);
      } else {
        vendorParameters.add(p);
        if (isSecret(key)) {
          secrets.add(p[1]);
          secretParameters.add(key);
        } else {
          safeParameters.add(p);
        }
      }
    }

    /**
     * A {@code user} or {@code password} URL parameter as the vendor itself would read it: pgjdbc
     * URL-decodes parameter values ({@code %40} is {@code @}, {@code +} a space), Connector/J and
     * H2 take them as written. Since the driver takes these two out of the vendor URL, it must
     * decode them the same way.
     */
    private static String credential(String value, Vendor vendor, String url) throws SQLException {
      if (!vendor.isPostgreSql()) {
        return value;
      }
      try {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw credentialsMalformed(
            url, "a user or password parameter is not valid URL encoding (pgjdbc decodes them)");
      }
    }

    void addProperties(Properties info) {
      for (String key : info.stringPropertyNames()) {
        String value = info.getProperty(key);
        if (key.equalsIgnoreCase(XA_DATA_SOURCE_CLASS)) {
          xaClass = value;
          // The recipe names the class that is used, as when it is a URL parameter: recovery of a
          // logged resource must load the same class, and a resource configured for recovery with
          // the class in its URL must get the same descriptor as the pool.
          safeParameters.removeIf(p -> p[0].equalsIgnoreCase(XA_DATA_SOURCE_CLASS));
          if (!value.isBlank()) {
            safeParameters.add(new String[] {XA_DATA_SOURCE_CLASS, value});
          }
        } else if (key.toLowerCase(Locale.ROOT).startsWith(SETTING_PREFIX)) {
          settings.put(key.substring(SETTING_PREFIX.length()), value);
        }
      }
    }
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

  /**
   * Names of the vendor parameters the secret-free recipe leaves out because they look like secrets
   * ({@code sslpassword}, ...; not {@code user} and {@code password}, which the descriptor and the
   * TM's credentials carry): recovery reconnects without them.
   */
  public List<String> secretParameters() {
    return secretParameters;
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
