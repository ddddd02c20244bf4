package dev.xatm.jdbc.internal;

import java.sql.SQLException;
import java.util.List;

/**
 * Cleans errors that come from a vendor driver of the secrets of the URL they were raised for, so
 * that a driver which quotes its URL or password in a message (or a cause, or a chained next
 * exception) cannot put a secret into the application's logs.
 *
 * <p>An error whose whole chain is clean is returned as it is (its type matters: {@link
 * FatalErrors} and applications look at it). Otherwise it is rebuilt as plain {@link SQLException}s
 * with the same SQLState, vendor code, stack traces and chain, each message cleaned and prefixed
 * with the original class name. Secrets shorter than {@value #MIN_SECRET_LENGTH} characters are
 * left to the pattern-based {@link XaUrl#redact}: replacing every occurrence of "ab" would make
 * messages unreadable, and such a password is no secret anyway.
 *
 * <p>Stateless; thread-safe.
 */
final class Redaction {
  static final int MIN_SECRET_LENGTH = 4;
  private static final int MAX_DEPTH = 16;

  private Redaction() {}

  /** {@code message} with URL passwords and every listed secret replaced by {@code ***}. */
  static String clean(String message, List<String> secrets) {
    if (message == null) {
      return null;
    }
    String s = XaUrl.redact(message);
    for (String secret : secrets) {
      if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
        s = s.replace(secret, "***");
      }
    }
    return s;
  }

  /** {@code e}, or a copy of its chain without the secrets if any message holds one. */
  static SQLException clean(SQLException e, List<String> secrets) {
    if (isClean(e, secrets, 0)) {
      return e;
    }
    return copy(e, secrets, 0);
  }

  /** A vendor's unchecked exception as an SQLException 08001 without the secrets. */
  static SQLException clean(RuntimeException e, List<String> secrets) {
    SQLException out =
        new SQLException(
            e.getClass().getName() + ": " + clean(e.getMessage(), secrets),
            "08001",
            copyCause(e.getCause(), secrets, 1));
    out.setStackTrace(e.getStackTrace());
    return out;
  }

  private static boolean isClean(Throwable t, List<String> secrets, int depth) {
    if (t == null || depth > MAX_DEPTH) {
      return true;
    }
    String m = t.getMessage();
    if (m != null && !m.equals(clean(m, secrets))) {
      return false;
    }
    if (t instanceof SQLException s
        && s.getNextException() != null
        && !isClean(s.getNextException(), secrets, depth + 1)) {
      return false;
    }
    return t.getCause() == t || isClean(t.getCause(), secrets, depth + 1);
  }

  private static SQLException copy(SQLException e, List<String> secrets, int depth) {
    SQLException out =
        new SQLException(
            e.getClass().getName() + ": " + clean(e.getMessage(), secrets),
            e.getSQLState(),
            e.getErrorCode(),
            copyCause(e.getCause(), secrets, depth + 1));
    out.setStackTrace(e.getStackTrace());
    SQLException next = e.getNextException();
    if (next != null && next != e && depth < MAX_DEPTH) {
      out.setNextException(copy(next, secrets, depth + 1));
    }
    return out;
  }

  private static Throwable copyCause(Throwable cause, List<String> secrets, int depth) {
    // Depth-capped: a vendor's cause chain may be cyclic or absurdly long.
    if (cause == null || depth > MAX_DEPTH) {
      return null;
    }
    if (cause instanceof SQLException s) {
      return copy(s, secrets, depth);
    }
    Throwable out =
        new Exception(
            cause.getClass().getName() + ": " + clean(cause.getMessage(), secrets),
            cause.getCause() == cause ? null : copyCause(cause.getCause(), secrets, depth + 1));
    out.setStackTrace(cause.getStackTrace());
    return out;
  }
}
