package dev.xatm.cli;

import java.util.Map;

/** A live process holds the log directory; {@link #holder()} names it (pid, host, node, start). */
final class LockedException extends CliException {
  private static final long serialVersionUID = 1L;

  private final Map<String, String> holder;

  LockedException(String message, Map<String, String> holder) {
    super(ExitCodes.LOCKED, message);
    this.holder = Map.copyOf(holder);
  }

  Map<String, String> holder() {
    return holder;
  }
}
