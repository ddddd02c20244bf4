package dev.xatm.tm;

/** A configuration value is invalid; the message names the property, the value and the rule. */
public class XatmConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final String value;
  private final String reason;

  public XatmConfigException(String property, String value, String reason) {
    super(property + " = '" + value + "' is invalid: " + reason);
    this.property = property;
    this.value = value;
    this.reason = reason;
  }

  public XatmConfigException(String message, Throwable cause) {
    super(message, cause);
    this.property = null;
    this.value = null;
    this.reason = message;
  }

  /** Why the value is invalid. */
  public String reason() {
    return reason;
  }

  /** The property at fault, or {@code null} when the problem is not one property. */
  public String property() {
    return property;
  }

  public String value() {
    return value;
  }
}
