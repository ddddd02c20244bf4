package dev.xatm.tm.spi;

/** A resource could not be reached; the message names it and says why. */
public class ResourceUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public ResourceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
