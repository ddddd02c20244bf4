package dev.xatm.cli;

import dev.xatm.tm.XatmOperationsMXBean;
import dev.xatm.tm.recovery.RecoveryLine;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
 * {@code xatm indoubt list|commit|rollback}: prepared Xids of this node. Online ({@code --pid} or
 * {@code --jmx}) through the running TM's {@link XatmOperationsMXBean}; {@code list} also offline,
 * on a stopped node, read-only against its databases ({@link OfflineListing}).
 */
@Command(
    name = "indoubt",
    mixinStandardHelpOptions = true,
    description =
        "Prepared Xids of this node: list, commit, rollback (online, or offline on a stopped"
            + " node).",
    subcommands = {
      IndoubtCommand.ListXids.class,
      IndoubtCommand.Commit.class,
      IndoubtCommand.Rollback.class
    })
final class IndoubtCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "give an indoubt command: list, commit XID or rollback XID");
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Online (--pid/--jmx): the Xids the running TM's recovery could not resolve.",
        "Offline (a stopped node; --config and/or XATM_* as the application): every prepared Xid"
            + " of this node on every configured and logged resource, read-only, with its log"
            + " state, what the next start would do and why, its age when known, and the form the"
            + " database shows. Exit 5: a resource could not be listed."
      })
  static final class ListXids implements Callable<Integer>, Xatm.JsonOutput {
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
        return new OfflineListing(StoppedNode.open(offline)).print(out, json, false);
      }
      try (OnlineTm tm = online.connect()) {
        XatmOperationsMXBean.InDoubt[] xs = tm.call("listing in-doubt Xids", o -> o.listInDoubt());
        if (json) {
          Map<String, Object> m = Online.head(tm);
          List<Object> list = new ArrayList<>();
          for (XatmOperationsMXBean.InDoubt x : xs) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("xid", x.xid());
            o.put("resourceId", x.resourceId());
            o.put("logState", x.logState());
            o.put("result", x.result());
            o.put("reason", x.reason());
            o.put("firstSeen", x.firstSeen());
            o.put("ageSeconds", x.ageSeconds());
            list.add(o);
          }
          m.put("inDoubt", list);
          out.println(Json.write(m));
        } else {
          out.println("in-doubt Xids of node " + tm.nodeId() + " (" + tm.where() + "):");
          if (xs.length == 0) {
            out.println("  none");
          } else {
            Table t = new Table("XID", "RESOURCE", "LOG STATE", "RESULT", ">AGE", "REASON");
            for (XatmOperationsMXBean.InDoubt x : xs) {
              t.row(
                  x.xid(),
                  x.resourceId(),
                  x.logState(),
                  x.result(),
                  OfflineListing.duration(x.ageSeconds()),
                  x.reason());
            }
            t.print(out, "  ");
          }
        }
        return ExitCodes.OK;
      }
    }
  }

  /** Commit or rollback of one in-doubt Xid through the running TM. */
  abstract static class Resolve implements Callable<Integer>, Xatm.JsonOutput {
    @Spec CommandSpec spec;
    @Mixin OnlineOptions online;
    @Mixin NodeOptions offline;

    @Parameters(index = "0", paramLabel = "XID", description = "The Xid as indoubt list shows it.")
    String xid;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    abstract boolean commit();

    private static String nodeOf(RecoveryLine l) {
      int slash = l.xid().indexOf('/');
      return slash < 0 ? "?" : l.xid().substring(0, slash);
    }

    @Override
    public Integer call() throws CliException {
      if (!online.online()) {
        RecoveryLine l =
            StoppedNodeActions.run(offline, op -> commit() ? op.commit(xid) : op.rollback(xid));
        StoppedNodeActions.print(spec.commandLine().getOut(), nodeOf(l), l, json);
        return l.unresolved() ? ExitCodes.UNRESOLVED : ExitCodes.OK;
      }
      try (OnlineTm tm = online.connect()) {
        XatmOperationsMXBean.Line l =
            commit()
                ? tm.call("commit of " + xid, o -> o.commitInDoubt(xid))
                : tm.call("rollback of " + xid, o -> o.rollbackInDoubt(xid));
        Online.printLine(spec.commandLine().getOut(), tm, l, json);
        return l.unresolved() ? ExitCodes.UNRESOLVED : ExitCodes.OK;
      }
    }
  }

  @Command(
      name = "commit",
      mixinStandardHelpOptions = true,
      description = {
        "Commit an in-doubt Xid through the running TM (--pid/--jmx), or of a stopped node"
            + " through its log (--config/--log-dir): the commit decision is logged durably"
            + " first, so recovery commits the transaction's other branches too.",
        "Exit 6: refused (not in doubt, operations off). Exit 7: not confirmed, or a heuristic."
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
        "Roll back an in-doubt Xid through the running TM (--pid/--jmx), or of a stopped node"
            + " through its log. Refused for a transaction with a durable Committing record (every"
            + " branch must commit).",
        "Exit 6: refused. Exit 7: not confirmed, or a heuristic."
      })
  static final class Rollback extends Resolve {
    @Override
    boolean commit() {
      return false;
    }
  }
}
