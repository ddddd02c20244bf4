package dev.xatm.tm;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The top-level message when the log cannot be opened or started: what failed, the root cause
 * (class and message: the outer WAL message alone hides it), and what to do about it (issue 10).
 * Stateless.
 */
final class LogOpenFailure {
  private static final int MAX_CAUSE_DEPTH = 16;

  private LogOpenFailure() {}

  /** {@code what}: e.g. "the log in DIR cannot be opened: OUTER"; then root cause and fix. */
  static String message(String what, Path directory, long segmentSize, Throwable failure) {
    Throwable root = root(failure);
    StringBuilder m = new StringBuilder(what);
    if (root != failure) {
      m.append("; root cause: ").append(root.getClass().getSimpleName());
      if (root.getMessage() != null) {
        m.append(": ").append(root.getMessage());
      }
    }
    String fix = fix(root, directory, segmentSize);
    if (fix != null) {
      m.append(". ").append(fix);
    }
    return m.toString();
  }

  private static Throwable root(Throwable t) {
    Throwable r = t;
    for (int i = 0; i < MAX_CAUSE_DEPTH && r.getCause() != null && r.getCause() != r; i++) {
      r = r.getCause();
    }
    return r;
  }

  private static String fix(Throwable root, Path directory, long segmentSize) {
    String text = (root.getMessage() == null ? "" : root.getMessage()).toLowerCase(Locale.ROOT);
    if (root instanceof FileSystemException fse && fse.getReason() != null) {
      text = text + " " + fse.getReason().toLowerCase(Locale.ROOT);
    }
    String user = System.getProperty("user.name", "this user");
    if (root instanceof AccessDeniedException
        || text.contains("permission denied")
        || text.contains("read-only file system")) {
      return "Fix: make "
          + directory
          + " (and its parent) writable by the user '"
          + user
          + "' on a writable file system, or set "
          + XatmConfig.LOG_DIR
          + " to a directory that is";
    }
    if (text.contains("no space left")
        || text.contains("disk quota")
        || text.contains("too small")) {
      return "Fix: free space on the file system of "
          + directory
          + " (the log needs at least two segments of "
          + segmentSize
          + " bytes, "
          + XatmConfig.LOG_SEGMENT_SIZE
          + "), lower "
          + XatmConfig.LOG_SEGMENT_SIZE
          + ", or set "
          + XatmConfig.LOG_DIR
          + " elsewhere";
    }
    return null;
  }
}
