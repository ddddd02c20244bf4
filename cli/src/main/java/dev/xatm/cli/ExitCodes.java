package dev.xatm.cli;

/**
 * The exit codes of the {@code xatm} command (docs/operations.md, "Exit codes"). Scripts may rely
 * on them; numbers are never reused for another meaning.
 */
public final class ExitCodes {
  /** The command did what it was asked and found nothing wrong. */
  public static final int OK = 0;

  /**
   * The log or backup is damaged beyond a torn tail, a record does not decode, or a backup does not
   * verify: the output names the damage.
   */
  public static final int DAMAGED = 1;

  /** Wrong arguments, or a path that is not a log directory (or not a directory at all). */
  public static final int USAGE = 2;

  /** A live process holds the log directory's lock: stop it, or use the online mode. */
  public static final int LOCKED = 3;

  /** An I/O error kept the command from reading or writing what it needed. */
  public static final int IO_ERROR = 4;

  /**
   * Something the command needed could not be reached: the process ({@code --pid}: no such process,
   * another user's, attach refused), the JMX endpoint, or (offline listings) a resource, so the
   * listing is incomplete; the output names it and why.
   */
  public static final int UNREACHABLE = 5;

  /**
   * The transaction manager refused: its operations are off ({@code xatm.jmx.operations}), the Xid
   * is not listed, or the protocol forbids the action (rolling back a decided transaction, I3).
   * Nothing was sent to any resource.
   */
  public static final int REFUSED = 6;

  /**
   * Carried out, but something stays unresolved: an action the resource did not confirm or that
   * reported a heuristic, or a recovery pass that left unresolved lines. The output says which.
   */
  public static final int UNRESOLVED = 7;

  private ExitCodes() {}
}
