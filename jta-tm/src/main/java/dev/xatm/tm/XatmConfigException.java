package dev.xatm.tm;

import java.util.regex.Pattern;

/**
 * A configuration value is invalid; the message names the property, the value and the rule, except
 * that it never shows a value that could be a secret:
 *
 * <ul>
 *   <li>keys that look like they hold one ({@code password}, {@code passwd}, {@code pwd}, {@code
 *       secret}, {@code token}, {@code credential}, {@code key} as a word): the value is {@value
 *       #NOT_SHOWN}; a {@code ...-env} key names an environment variable and is shown;
 *   <li>URL-valued keys ({@code ...url}): shown without user-info password and without secret-like
 *       parameters;
 *   <li>keys xatm does not know ({@link #unknownKey}): never shown, never kept, because a
 *       misspelled {@code passwrod} still holds a password.
 * </ul>
 */
public class XatmConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What stands in for a value that is not shown. */
  public static final String NOT_SHOWN = "(not shown)";

  private static final Pattern SECRET_KEY =
      Pattern.compile(
          "(?i).*(password|passwd|pwd|secret|token|credential|(^|[._-])(api|private)?[._-]?key$).*");
  private static final Pattern ENV_KEY = Pattern.compile("(?i).*[._-]env$");
  private static final Pattern URL_KEY = Pattern.compile("(?i).*(^|[._-])(url|uri)$");
  private static final Pattern SECRET_PARAMETER =
      Pattern.compile(
          "(?i)([?&;][^=&;?]*(?:password|passwd|pwd|secret|token|credential)[^=&;?]*=)[^&;]*");
  private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/:@?#;]*):[^/]*@");
  private static final Pattern USERINFO_PASSWORD_WITH_SLASH =
      Pattern.compile("(//[^/:@?#;]*):[^@?#;]*@");

  /** The key at fault, or {@code null}. */
  private final String property;

  /** The value as shown, or {@code null}. */
  private final String value;

  /** Why the value is invalid. */
  private final String reason;

  /**
   * Creates the exception for one property with a bad value.
   *
   * @param property the key, e.g. {@code xatm.log.dir}
   * @param value the value as configured; the message and {@link #value()} show it only when the
   *     key cannot hold a secret (see the class comment)
   * @param reason the rule the value breaks
   */
  public XatmConfigException(String property, String value, String reason) {
    this(property, shown(property, value), reason, Shown.YES);
  }

  /** Marks the constructor whose value argument is already what may be shown. */
  private enum Shown {
    YES
  }

  private XatmConfigException(String property, String shownValue, String reason, Shown marker) {
    super(
        property
            + (shownValue == null ? "" : " = '" + shownValue + "'")
            + " is invalid: "
            + reason);
    this.property = property;
    this.value = shownValue;
    this.reason = reason;
  }

  /**
   * Creates the exception for a problem that is not one property (a file that cannot be read).
   * {@link #property()} and {@link #value()} are then {@code null}.
   *
   * @param message what failed; it is also the {@link #reason()}
   * @param cause the underlying failure
   */
  public XatmConfigException(String message, Throwable cause) {
    super(message, cause);
    this.property = null;
    this.value = null;
    this.reason = message;
  }

  /**
   * {@return the exception for a key xatm does not know} Its value is neither shown nor kept: it
   * may be a secret under a misspelled name.
   *
   * @param property the unknown key or environment variable
   * @param reason why it is refused, e.g. the nearest known key
   */
  public static XatmConfigException unknownKey(String property, String reason) {
    return new XatmConfigException(property, null, reason + " (its value is not shown)", Shown.YES);
  }

  /**
   * {@return true when a value under {@code property} could be a secret and must not be shown}
   *
   * @param property a key; {@code null} gives false
   */
  public static boolean couldHoldSecret(String property) {
    return property != null
        && SECRET_KEY.matcher(property).matches()
        && !ENV_KEY.matcher(property).matches();
  }

  /**
   * {@return {@code url} without user-info password and without secret-like parameters}
   *
   * @param url a URL, possibly holding secrets
   */
  public static String redactUrl(String url) {
    String s = SECRET_PARAMETER.matcher(url).replaceAll("$1***");
    s = USERINFO_PASSWORD.matcher(s).replaceAll("$1:***@");
    return USERINFO_PASSWORD_WITH_SLASH.matcher(s).replaceAll("$1:***@");
  }

  private static String shown(String property, String value) {
    if (value == null) {
      return null;
    }
    if (couldHoldSecret(property)) {
      return NOT_SHOWN;
    }
    if (property != null && URL_KEY.matcher(property).matches()) {
      return redactUrl(value);
    }
    return value;
  }

  /** {@return why the value is invalid} */
  public String reason() {
    return reason;
  }

  /** {@return the property at fault, or {@code null} when the problem is not one property} */
  public String property() {
    return property;
  }

  /**
   * {@return the value as the message shows it} That is {@value #NOT_SHOWN} or redacted for keys
   * that could hold a secret, {@code null} for unknown keys and problems that are not one property.
   */
  public String value() {
    return value;
  }
}
