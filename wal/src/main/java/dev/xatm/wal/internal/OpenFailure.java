package dev.xatm.wal.internal;

import dev.xatm.wal.WalConfig;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.util.Locale;

/**
 * Turns an I/O failure while opening or verifying a log into a top-level message that names the
 * cause and the fix (the exception keeps the cause chain): an operator reads the first line, not
 * the stack trace.
 *
 * <p>Threading: stateless.
 */
final class OpenFailure {

  private OpenFailure() {}

  static String describe(WalConfig config, String doing, IOException e) {
    String dir = String.valueOf(config.directory());
    for (Throwable t = e; t != null; t = t.getCause()) {
      String text = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      String reason =
          t instanceof FileSystemException f && f.getReason() != null
              ? f.getReason().toLowerCase(Locale.ROOT)
              : text;
      if (reason.contains("read-only file system")) {
        return "WAL "
            + dir
            + ": the file system is read-only ("
            + t.getMessage()
            + "); remount it read-write or point the log at a writable directory. The log was not"
            + " opened";
      }
      if (reason.contains("no space left on device") || reason.contains("disk quota exceeded")) {
        return "WAL "
            + dir
            + ": the disk is full ("
            + t.getMessage()
            + "); every segment is preallocated at segmentSize = "
            + config.segmentSize()
            + " bytes: free space, or lower the segment size (xatm.log.segment-size). The log was"
            + " not "
            + pastOf(doing);
      }
      if (t instanceof AccessDeniedException || reason.contains("permission denied")) {
        return "WAL "
            + dir
            + ": permission denied ("
            + t.getMessage()
            + "); the log directory and its files must be readable and writable by the user"
            + " running this process: fix owner and mode, or point the log at another directory."
            + " The log was not "
            + pastOf(doing);
      }
    }
    return "WAL "
        + dir
        + ": I/O error while "
        + doing
        + " ("
        + e
        + "); the log was not "
        + pastOf(doing);
  }

  private static String pastOf(String doing) {
    return doing.equals("verifying") ? "verified" : "opened";
  }
}
