package dev.xatm.cli;

import dev.xatm.cluster.Lease;
import dev.xatm.cluster.PostgresNodeLeases;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.cluster.ClusterConfig;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code xatm cluster leases}: the lease table of the cluster mode (docs/cluster.md), read-only:
 * which process holds which node id, under which epoch, until when by the database's clock.
 */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description = "The cluster mode's lease table (docs/cluster.md): leases (read-only).",
    subcommands = {ClusterCommand.Leases.class})
final class ClusterCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "give: cluster leases");
  }

  @Command(
      name = "leases",
      mixinStandardHelpOptions = true,
      description = {
        "Every node id's lease in the table xatm.cluster.url names: holder, epoch, state (held,"
            + " expired, released) and expiry by the database's clock. Changes nothing.",
        "Exit 5: the lease database cannot be reached."
      })
  static final class Leases implements Callable<Integer>, Xatm.JsonOutput {
    @Spec CommandSpec spec;
    @Mixin NodeOptions node;

    @Option(names = "--json", description = "One JSON document on stdout.")
    boolean json;

    @Override
    public boolean json() {
      return json;
    }

    @Override
    public Integer call() throws CliException {
      Map<String, String> env = NodeConfig.environment(node);
      XatmConfig config = NodeConfig.load(node, env);
      Optional<ClusterConfig> cluster;
      try {
        cluster = ClusterConfig.parse(config.cluster(), env);
      } catch (XatmConfigException e) {
        throw new CliException(ExitCodes.USAGE, "configuration: " + e.getMessage(), e);
      }
      if (cluster.isEmpty()) {
        throw new CliException(
            ExitCodes.USAGE,
            ClusterConfig.URL
                + " is not set in this configuration: the node runs without the"
                + " cluster mode, so it holds no lease",
            null);
      }
      String where = XatmConfigException.redactUrl(cluster.get().url());
      List<Lease> leases;
      try {
        leases = PostgresNodeLeases.list(cluster.get());
      } catch (SQLException e) {
        throw new CliException(
            ExitCodes.UNREACHABLE,
            "the lease table at " + where + " cannot be read: " + e.getMessage(),
            e);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table", where);
        List<Object> rows = new ArrayList<>();
        for (Lease l : leases) {
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("nodeId", l.nodeId());
          r.put("epoch", l.epoch());
          r.put("state", l.state());
          r.put("holder", l.holder());
          r.put("takenOverBy", l.takenOverBy());
          r.put("logId", Long.toHexString(l.logId()));
          r.put("expiresAt", l.expiresAt().toString());
          r.put("secondsUntilExpiry", l.untilExpiry().toSeconds());
          rows.add(r);
        }
        m.put("leases", rows);
        out.println(Json.write(m));
        return ExitCodes.OK;
      }
      out.println("node-id leases at " + where + " (by the database's clock):");
      if (leases.isEmpty()) {
        out.println("  none");
        return ExitCodes.OK;
      }
      Table t = new Table("node id", ">epoch", "state", ">expires in s", "holder", "log id");
      for (Lease l : leases) {
        t.row(
            l.nodeId(),
            l.epoch(),
            l.state(),
            l.untilExpiry().toSeconds(),
            l.takenOverBy() == null
                ? l.holder()
                : l.holder() + ", taken over by " + l.takenOverBy(),
            Long.toHexString(l.logId()));
      }
      t.print(out, "  ");
      return ExitCodes.OK;
    }
  }
}
