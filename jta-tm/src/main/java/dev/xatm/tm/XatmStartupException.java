package dev.xatm.tm;

/**
 * The transaction manager could not start: its log is locked by another process, belongs to another
 * node id, is damaged, or the epoch could not be written. The message says which and what to do;
 * the cause is the log's exception.
 */
public class XatmStartupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do
   * @param cause the log's exception
   */
  public XatmStartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
