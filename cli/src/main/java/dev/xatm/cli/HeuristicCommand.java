package dev.xatm.cli;

import dev.xatm.tm.XatmOperationsMXBean;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.RecoveryInspection;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HexFormat;
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
 * {@code xatm heuristic list|clear}: heuristic outcomes not cleared yet. {@code list} online or
 * offline (from the stopped node's log); {@code clear} online only (it writes a record to the log).
 * Every entry is printed with the Xid in the exact form {@code clear} takes.
 */
@Command(
    name = "heuristic",
    mixinStandardHelpOptions = true,
    description = "Heuristic outcomes not cleared: list (online or offline), clear (online).",
    subcommands = {HeuristicCommand.ListEntries.class, HeuristicCommand.Clear.class})
final class HeuristicCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "give a heuristic command: list or clear XID");
  }

  /** One entry, whichever way it was read. */
  private record Entry(
      String xid, String gtrid, String resourceId, String bqual, String outcome, long lsn) {}

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "Heuristic outcomes not cleared, each with the XID heuristic clear takes. Online"
            + " (--pid/--jmx) from the running TM, offline from the stopped node's log (--config"
            + " or --log-dir)."
      })
  static final class ListEntries implements Callable<Integer>, Xatm.JsonOutput {
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
      List<Entry> entries = new ArrayList<>();
      Map<String, Object> head;
      String title;
      if (online.online()) {
        try (OnlineTm tm = online.connect()) {
          for (XatmOperationsMXBean.Heuristic h :
              tm.call("listing heuristics", o -> o.listHeuristics())) {
            entries.add(
                new Entry(h.xid(), h.gtrid(), h.resourceId(), h.bqual(), h.outcome(), h.lsn()));
          }
          head = Online.head(tm);
          title = "heuristic outcomes not cleared, node " + tm.nodeId() + " (" + tm.where() + "):";
        }
      } else {
        StoppedNode node = StoppedNode.open(offline);
        for (LogState.HeuristicEntry h : node.state().heuristics()) {
          entries.add(
              new Entry(
                  RecoveryInspection.heuristicXid(h),
                  h.gtrid().toString(),
                  h.branch().resourceId(),
                  HexFormat.of().formatHex(h.branch().bqual()),
                  h.outcome().name(),
                  h.lsn()));
        }
        head = new LinkedHashMap<>();
        head.put("ok", true);
        head.put("nodeId", node.state().nodeId());
        head.put("logDir", node.log.directory().toString());
        title =
            "heuristic outcomes not cleared in the log of node "
                + node.state().nodeId()
                + " ("
                + node.log.directory()
                + ", stopped; clear them through the running node: heuristic clear XID --pid PID):";
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        List<Object> list = new ArrayList<>();
        for (Entry e : entries) {
          Map<String, Object> o = new LinkedHashMap<>();
          o.put("xid", e.xid());
          o.put("gtrid", e.gtrid());
          o.put("resourceId", e.resourceId());
          o.put("bqual", e.bqual());
          o.put("outcome", e.outcome());
          o.put("lsn", e.lsn());
          list.add(o);
        }
        head.put("heuristics", list);
        out.println(Json.write(head));
      } else {
        out.println(title);
        if (entries.isEmpty()) {
          out.println("  none");
        } else {
          Table t = new Table("XID", "RESOURCE", "OUTCOME", ">LSN", "GTRID", "BQUAL");
          for (Entry e : entries) {
            t.row(e.xid(), e.resourceId(), e.outcome(), e.lsn(), e.gtrid(), e.bqual());
          }
          t.print(out, "  ");
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "clear",
      mixinStandardHelpOptions = true,
      description = {
        "Clear the heuristic outcomes of one branch through the running TM (--pid/--jmx), after"
            + " you reconciled the data by hand: a durable HeuristicCleared record.",
        "Exit 6: no such heuristic, or operations off."
      })
  static final class Clear implements Callable<Integer>, Xatm.JsonOutput {
    @Spec CommandSpec spec;
    @Mixin OnlineOptions online;
    @Mixin NodeOptions offline;

    @Parameters(
        index = "0",
        paramLabel = "XID",
        description = "The XID exactly as heuristic list shows it.")
    String xid;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    @Override
    public Integer call() throws CliException {
      if (!online.online()) {
        int n = StoppedNodeActions.run(offline, op -> op.clearHeuristic(xid));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("mode", "offline");
          m.put("xid", xid);
          m.put("cleared", n);
          out.println(Json.write(m));
        } else {
          out.println("cleared " + n + " heuristic outcome(s) of " + xid + " (stopped node)");
        }
        return ExitCodes.OK;
      }
      try (OnlineTm tm = online.connect()) {
        int n = tm.call("clearing the heuristic of " + xid, o -> o.clearHeuristic(xid));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          Map<String, Object> m = Online.head(tm);
          m.put("xid", xid);
          m.put("cleared", n);
          out.println(Json.write(m));
        } else {
          out.println(
              "cleared " + n + " heuristic outcome(s) of " + xid + " on node " + tm.nodeId());
        }
        return ExitCodes.OK;
      }
    }
  }
}
