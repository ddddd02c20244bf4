package dev.xatm.cli;

/**
 * A command cannot go on: the message is what the operator reads (what, where, what to do next),
 * the exit code is one of {@link ExitCodes}.
 */
public class CliException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
