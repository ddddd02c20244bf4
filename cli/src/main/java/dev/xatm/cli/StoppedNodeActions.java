package dev.xatm.cli;

import dev.xatm.tm.StoppedNodeOperator;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.recovery.RecoveryException;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryRefusedException;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.wal.WalConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The offline operator actions ({@code indoubt commit|rollback}, {@code heuristic clear} without
 * {@code --pid}): the stopped node's log is opened for writing, with its lock, through {@link
 * StoppedNodeOperator}, which applies the running TM's rules to exactly the Xid asked about.
 * Refused while the node runs (its lock holder is named; use the online mode then).
 */
final class StoppedNodeActions {
  private StoppedNodeActions() {}

  /** Runs {@code action} on the stopped node {@code options} names; maps failures to exit codes. */
  static <T> T run(NodeOptions options, Function<StoppedNodeOperator, T> action)
      throws CliException {
    Map<String, String> env = NodeConfig.environment(options);
    XatmConfig config = NodeConfig.load(options, env);
    Path dir = config.logDir();
    new OfflineLog(dir, WalConfig.DEFAULT_MAX_RECORD_SIZE, config.nodeId()).requireStopped();
    List<RecoveryConnector> connectors = new ArrayList<>();
    ServiceLoader.load(RecoveryConnector.class, StoppedNodeActions.class.getClassLoader())
        .forEach(connectors::add);
    try (StoppedNodeOperator op = StoppedNodeOperator.open(config, env, connectors)) {
      return action.apply(op);
    } catch (XatmConfigException e) {
      throw new CliException(ExitCodes.USAGE, "configuration: " + e.getMessage(), e);
    } catch (XatmStartupException e) {
      throw new CliException(ExitCodes.DAMAGED, e.getMessage(), e);
    } catch (RecoveryRefusedException | IllegalArgumentException e) {
      throw new CliException(ExitCodes.REFUSED, "refused: " + e.getMessage(), e);
    } catch (RecoveryException e) {
      throw new CliException(ExitCodes.UNREACHABLE, e.getMessage(), e);
    }
  }

  /** Prints one operator line, as the online mode does. */
  static void print(PrintWriter out, String node, RecoveryLine l, boolean json) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("node", node);
      m.put("mode", "offline");
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("xid", l.xid());
      line.put("resourceId", l.resourceId());
      line.put("logState", l.logState().name());
      line.put("action", l.action().name());
      line.put("result", l.result().name());
      line.put("unresolved", l.unresolved());
      line.put("reason", l.reason());
      m.put("line", line);
      out.println(Json.write(m));
      return;
    }
    List<String[]> p = new ArrayList<>();
    p.add(new String[] {"node", node + " (stopped; through its log)"});
    p.add(new String[] {"xid", l.xid()});
    p.add(new String[] {"resource", l.resourceId()});
    p.add(new String[] {"log state", l.logState().name()});
    p.add(new String[] {"action", l.action().name()});
    p.add(new String[] {"result", l.result() + (l.unresolved() ? " (UNRESOLVED)" : "")});
    p.add(new String[] {"reason", l.reason()});
    Table.pairs(out, p);
  }
}
