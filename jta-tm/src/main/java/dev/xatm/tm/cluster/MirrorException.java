package dev.xatm.tm.cluster;

/**
 * The cluster database did not answer a mirror call, or refused a row this holder may not write.
 */
public final class MirrorException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, naming the database without a password
   * @param cause the driver's exception, or null
   */
  public MirrorException(String message, Throwable cause) {
    super(message, cause);
  }
}
