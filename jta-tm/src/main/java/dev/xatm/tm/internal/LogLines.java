package dev.xatm.tm.internal;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import javax.transaction.xa.XAException;

/**
 * One readable line per event on the paths that repeat (a background retry, an unconfirmed commit,
 * a failed forget): the message and a one-line summary of the failure at the event's level, and the
 * stack trace only as a second record at DEBUG (JUL {@code FINE}), written only when that level is
 * enabled. A torture run printed 4,303 stack-trace lines at WARNING before (issue 14): every retry
 * of a down database printed the same driver stack.
 *
 * <p>Stateless; thread-safe.
 */
final class LogLines {
  private static final int MAX_CAUSE_CHARS = 300;

  private LogLines() {}

  /** Logs {@code message} and a summary of {@code failure} (may be null) on one line. */
  static void log(Logger log, Level level, String message, Throwable failure) {
    if (!log.isLoggable(level)) {
      return;
    }
    log.log(level, failure == null ? message : message + " [" + summary(failure) + "]");
    if (failure != null && log.isLoggable(Level.DEBUG)) {
      log.log(Level.DEBUG, "stack of the failure above (" + message + ")", failure);
    }
  }

  /**
   * {@code XAException XAER_RMFAIL: message}, or {@code SQLException: message}, with the root
   * cause's type and message when it differs; one line, bounded.
   */
  static String summary(Throwable t) {
    StringBuilder s = new StringBuilder(describe(t));
    Throwable root = t;
    for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < 20; depth++) {
      root = root.getCause();
    }
    if (root != t) {
      s.append("; caused by ").append(describe(root));
    }
    String line = s.toString().replace('\n', ' ').replace('\r', ' ');
    return line.length() <= MAX_CAUSE_CHARS ? line : line.substring(0, MAX_CAUSE_CHARS) + "...";
  }

  private static String describe(Throwable t) {
    String name = t.getClass().getSimpleName();
    if (t instanceof XAException x) {
      name += " " + XaClassifier.name(x.errorCode);
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? name : name + ": " + m.strip();
  }
}
