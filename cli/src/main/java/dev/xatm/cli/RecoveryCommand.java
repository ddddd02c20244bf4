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
import picocli.CommandLine.Spec;

/** {@code xatm recovery run-pass}: a full recovery pass in the running TM, now. */
@Command(
    name = "recovery",
    mixinStandardHelpOptions = true,
    description = "Recovery of a running TM: run-pass.",
    subcommands = RecoveryCommand.RunPass.class)
final class RecoveryCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "give: recovery run-pass");
  }

  @Command(
      name = "run-pass",
      mixinStandardHelpOptions = true,
      description = {
        "Run a full recovery pass in the running TM now (--pid/--jmx), ignoring backoff, and print"
            + " its report, one line per Xid.",
        "Exit 7: the pass left unresolved lines."
      })
  static final class RunPass implements Callable<Integer>, Xatm.JsonOutput {
    @Spec CommandSpec spec;
    @Mixin OnlineOptions online;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    @Override
    public Integer call() throws CliException {
      if (!online.online()) {
        throw new CliException(
            ExitCodes.USAGE,
            "recovery run-pass runs in the transaction manager: give --pid PID or --jmx URL"
                + " (a stopped node runs a pass when it starts; indoubt list shows what it would do)");
      }
      try (OnlineTm tm = online.connect()) {
        XatmOperationsMXBean.Pass p = tm.call("recovery pass", o -> o.runRecoveryPass());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          Map<String, Object> m = Online.head(tm);
          m.put("startedAt", p.startedAt());
          m.put("durationMillis", p.durationMillis());
          m.put("unresolved", p.unresolved());
          m.put("summary", p.summary());
          m.put("lines", Online.linesJson(p.lines()));
          out.println(Json.write(m));
        } else {
          out.println(p.summary());
          if (p.lines().length > 0) {
            Online.lines(p.lines()).print(out, "  ");
          }
        }
        return p.unresolved() ? ExitCodes.UNRESOLVED : ExitCodes.OK;
      }
    }
  }
}
