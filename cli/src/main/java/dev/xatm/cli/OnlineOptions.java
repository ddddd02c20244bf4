package dev.xatm.cli;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * How the online commands reach a running transaction manager: {@code --pid} (local attach) or
 * {@code --jmx} (a JMX service URL), and {@code --node} when several are registered there.
 */
final class OnlineOptions {
  /** The environment variable holding the JMX password for {@code --jmx-user}. */
  static final String PASSWORD_ENV = "XATM_JMX_PASSWORD";

  /** Exactly one of pid or URL. */
  static final class Target {
    @Option(
        names = "--pid",
        paramLabel = "PID",
        required = true,
        description =
            "A local JVM running the TM: attach (same user), starting its local management agent.")
    Long pid;

    @Option(
        names = "--jmx",
        paramLabel = "URL",
        required = true,
        description = "A JMX service URL, e.g. service:jmx:rmi:///jndi/rmi://app-1:9010/jmxrmi.")
    String url;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Target target;

  @Option(
      names = "--node",
      paramLabel = "ID",
      description = "The TM's node id, when the JVM runs several (default: the only one).")
  String node;

  @Option(
      names = "--jmx-user",
      paramLabel = "USER",
      description = "JMX user for --jmx; the password is read from " + PASSWORD_ENV + ".")
  String user;

  boolean online() {
    return target != null;
  }

  OnlineTm connect() throws CliException {
    if (target == null) {
      throw new CliException(ExitCodes.USAGE, "give --pid PID or --jmx URL");
    }
    return OnlineTm.connect(target.pid, target.url, user, System.getenv(PASSWORD_ENV), node);
  }
}
