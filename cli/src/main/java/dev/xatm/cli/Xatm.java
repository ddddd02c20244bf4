package dev.xatm.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code xatm} command (docs/operations.md): offline inspection, verification and backup of a
 * stopped node's log directory, read-only listings of a stopped node's prepared Xids against its
 * databases, the operator's offline resolution of one named Xid through a stopped node's log
 * ({@link StoppedNodeActions}), and the online operations of a running TM over JMX. The offline
 * listings write nothing and send nothing but {@code recover()} to a database.
 *
 * <p>Threading: one command per process (or per {@link #run} call in tests).
 */
@Command(
    name = "xatm",
    mixinStandardHelpOptions = true,
    versionProvider = Xatm.Version.class,
    description = {
      "Inspect, verify and back up the log of a stopped xatm node; list a stopped node's prepared"
          + " Xids on its databases; resolve in-doubt Xids and heuristics of a running one over JMX"
          + " (--pid/--jmx). docs/operations.md."
    },
    subcommands = {
      LogCommand.class,
      BackupCommand.class,
      IndoubtCommand.class,
      HeuristicCommand.class,
      ForeignCommand.class,
      RecoveryCommand.class,
      ClusterCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:ok: nothing wrong found",
      "1:damage found, a record does not decode, or a backup does not verify",
      "2:usage error, or a path that is not a log directory",
      "3:the log is in use by a live process (stop it, or use the online mode)",
      "4:I/O error",
      "5:unreachable: the process, the JMX endpoint, or a resource (the listing is incomplete)",
      "6:refused by the TM: operations off (xatm.jmx.operations), Xid not listed, or forbidden",
      "7:done, but unresolved: not confirmed, a heuristic, or a pass left unresolved lines"
    })
public final class Xatm implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "give a command: log verify|dump|stat DIR, backup DIR DEST, indoubt list|commit|rollback,"
            + " heuristic list|clear, foreign list, recovery run-pass, cluster leases (xatm help)");
  }

  /**
   * Held so that JUL keeps its level (it references loggers weakly). The wal, snapshot and TM
   * classes narrate as if the log were being opened ("torn tail dropped", "WAL opened despite
   * damage"); a read-only inspection drops and opens nothing, and prints what it found itself.
   */
  private static final Logger XATM_LOGS = Logger.getLogger("dev.xatm");

  public static void main(String[] args) {
    XATM_LOGS.setLevel(Level.OFF);
    int code = run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    System.exit(code);
  }

  /** Runs one command line and returns its exit code ({@link ExitCodes}). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Xatm());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    // picocli answers invalid input with its ExitCode.USAGE, 2, which is ExitCodes.USAGE.
    cl.setExecutionExceptionHandler(Xatm::failed);
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed)
      throws Exception {
    if (!(e instanceof CliException c)) {
      throw e;
    }
    cmd.getErr().println("xatm: " + c.getMessage());
    if (cmd.getCommand() instanceof JsonOutput j && j.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", false);
      m.put("exitCode", c.exitCode());
      m.put("error", c.getMessage());
      if (c instanceof LockedException l) {
        m.put("holder", l.holder());
      }
      cmd.getOut().println(Json.write(m));
    }
    return c.exitCode();
  }

  /** A command with a {@code --json} switch: failures are then also written as JSON on stdout. */
  interface JsonOutput {
    boolean json();
  }

  /** The version from the jar's manifest (the reactor's version), or "development". */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Xatm.class.getPackage().getImplementationVersion();
      return new String[] {"xatm " + (v == null ? "development build" : v)};
    }
  }
}
