package dev.xatm.wal;

/**
 * The log on disk was written with a setting that the current configuration contradicts (for
 * example a format-1 log holding records longer than today's {@code maxRecordSize}). Nothing is
 * damaged: the message names the setting and the value that reads the log; change the
 * configuration, not the files.
 */
public class WalSettingException extends WalException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the setting, the configured value and the value that reads the log
   */
  public WalSettingException(String message) {
    super(message);
  }
}
