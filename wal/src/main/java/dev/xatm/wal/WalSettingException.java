package dev.xatm.wal;

/**
 * The log on disk was written with a setting that the current configuration contradicts (for
 * example a format-1 log holding records longer than today's {@code maxRecordSize}). Nothing is
 * damaged: the message names the setting and the value that reads the log; change the
 * configuration, not the files.
 */
public class WalSettingException extends WalException {
  private static final long serialVersionUID = 1L;

  /** The smallest record limit that reads the log, or 0; see {@link #requiredMaxRecordSize()}. */
  private final long requiredMaxRecordSize;

  /**
   * Creates the exception.
   *
   * @param message the setting, the configured value and the value that reads the log
   */
  public WalSettingException(String message) {
    this(message, 0);
  }

  /**
   * Creates the exception, with the record limit that reads the log.
   *
   * @param message the setting, the configured value and the value that reads the log
   * @param requiredMaxRecordSize the smallest {@code maxRecordSize} that reads the log, or 0 when
   *     the setting at fault is another one
   */
  public WalSettingException(String message, long requiredMaxRecordSize) {
    super(message);
    this.requiredMaxRecordSize = requiredMaxRecordSize;
  }

  /**
   * {@return the smallest {@code maxRecordSize} that reads the log} That is the longest record
   * found that today's setting refuses, or 0 when the setting at fault is another one. Lets a
   * caller that derives {@code maxRecordSize} from its own setting name that one.
   */
  public long requiredMaxRecordSize() {
    return requiredMaxRecordSize;
  }
}
