package dev.xatm.tm.spi;

/** A resource could not be reached; the message names it and says why. */
public class ResourceUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the resource, and why it cannot be reached; no password
   * @param cause the driver's or network's error
   */
  public ResourceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
