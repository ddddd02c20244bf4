package dev.xatm.cli;

import dev.xatm.tm.XatmOperationsMXBean;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code xatm foreign list}: prepared Xids on this node's resources that are not this node's (other
 * xatm nodes, other transaction managers, another log with this node id). Listed, never touched;
 * {@code foreign commit|rollback XID --force} resolves exactly one, for an owner known to be gone.
 */
@Command(
    name = "foreign",
    mixinStandardHelpOptions = true,
    description =
        "Prepared Xids that are not this node's: list (never touched); commit or rollback one"
            + " only with --force.",
    subcommands = {
      ForeignCommand.ListForeign.class,
      ForeignCommand.Commit.class,
      ForeignCommand.Rollback.class
    })
final class ForeignCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "give: foreign list");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Offline (a stopped node's configuration): every prepared Xid on its configured and logged"
            + " resources that is not its own, with its owner and the form the database shows."
            + " Online (--pid/--jmx): those the running TM's last recovery pass saw.",
        "Exit 5: a resource could not be listed."
      })
  static final class ListForeign implements Callable<Integer>, Xatm.JsonOutput {
    @Spec CommandSpec spec;
    @Mixin OnlineOptions online;
    @Mixin NodeOptions offline;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    @Override
    public Integer call() throws CliException {
      PrintWriter out = spec.commandLine().getOut();
      if (!online.online()) {
        return new OfflineListing(StoppedNode.open(offline)).print(out, json, true);
      }
      try (OnlineTm tm = online.connect()) {
        XatmOperationsMXBean.Line[] lines = tm.call("listing foreign Xids", o -> o.listForeign());
        if (json) {
          Map<String, Object> m = Online.head(tm);
          m.put("foreign", Online.linesJson(lines));
          out.println(Json.write(m));
        } else {
          out.println(
              "foreign prepared Xids the last recovery pass of node "
                  + tm.nodeId()
                  + " saw (never touched):");
          if (lines.length == 0) {
            out.println("  none");
          } else {
            Online.lines(lines).print(out, "  ");
          }
        }
        return ExitCodes.OK;
      }
    }
  }

  /** Commit or rollback of exactly one foreign Xid of a stopped node's resources, forced. */
  abstract static class Resolve implements Callable<Integer>, Xatm.JsonOutput {
    @Spec CommandSpec spec;
    @Mixin NodeOptions offline;

    @Parameters(index = "0", paramLabel = "XID", description = "The Xid as foreign list shows it.")
    String xid;

    @Option(
        names = "--force",
        description =
            "Required: the Xid belongs to another node or transaction manager, whose decision this"
                + " command may contradict. Use it only when that owner is gone for good.")
    boolean force;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    abstract boolean commit();

    @Override
    public Integer call() throws CliException {
      if (!force) {
        throw new CliException(
            ExitCodes.REFUSED,
            "refused: "
                + xid
                + " is not this node's; its owner decides it. If the owner is gone for good,"
                + " repeat with --force");
      }
      dev.xatm.tm.recovery.RecoveryLine l =
          StoppedNodeActions.run(offline, op -> op.resolveForeign(xid, commit()));
      StoppedNodeActions.print(spec.commandLine().getOut(), "(foreign)", l, json);
      return l.unresolved() ? ExitCodes.UNRESOLVED : ExitCodes.OK;
    }
  }

  @Command(
      name = "commit",
      mixinStandardHelpOptions = true,
      description = {
        "Commit exactly one foreign prepared Xid (--force), on a stopped node's resources.",
        "Exit 6: refused (no --force, not foreign). Exit 7: not confirmed."
      })
  static final class Commit extends Resolve {
    @Override
    boolean commit() {
      return true;
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description = {
        "Roll back exactly one foreign prepared Xid (--force), on a stopped node's resources.",
        "Exit 6: refused (no --force, not foreign). Exit 7: not confirmed."
      })
  static final class Rollback extends Resolve {
    @Override
    boolean commit() {
      return false;
    }
  }
}
