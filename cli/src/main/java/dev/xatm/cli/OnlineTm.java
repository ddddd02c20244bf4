package dev.xatm.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import dev.xatm.tm.XatmOperationsMXBean;
import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.net.MalformedURLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A connection to a running transaction manager's {@link XatmOperationsMXBean} (docs/operations.md,
 * "Online mode"): by local attach ({@code VirtualMachine.startLocalManagementAgent}, which needs
 * the same user as the JVM and starts its local-only agent if it is not running) or a JMX service
 * URL. The TM is found by its metrics MXBean ({@code dev.xatm:type=TransactionManager,node=...}); a
 * TM that publishes metrics but no operations runs with {@code xatm.jmx.operations=false}, and
 * every action is refused naming that setting.
 *
 * <p>Not thread-safe; one command's connection.
 */
final class OnlineTm implements AutoCloseable {
  static final String SETTING = "xatm.jmx.operations";

  private final JMXConnector connector;
  private final String where;
  private final String nodeId;
  private final XatmOperationsMXBean ops;

  private OnlineTm(JMXConnector connector, String where, String nodeId, XatmOperationsMXBean ops) {
    this.connector = connector;
    this.where = where;
    this.nodeId = nodeId;
    this.ops = ops;
  }

  static OnlineTm connect(Long pid, String url, String user, String password, String node)
      throws CliException {
    String where = pid != null ? "process " + pid : url;
    String address = pid != null ? attach(pid) : url;
    JMXConnector c;
    try {
      Map<String, Object> env =
          user == null ? Map.of() : Map.of(JMXConnector.CREDENTIALS, new String[] {user, password});
      c = JMXConnectorFactory.connect(new JMXServiceURL(address), env);
    } catch (MalformedURLException e) {
      throw new CliException(
          ExitCodes.USAGE,
          "not a JMX service URL: "
              + address
              + " (e.g. service:jmx:rmi:///jndi/rmi://host:9010/jmxrmi)");
    } catch (IOException | SecurityException e) {
      throw new CliException(
          ExitCodes.UNREACHABLE, "cannot connect to JMX at " + where + ": " + e.getMessage(), e);
    }
    try {
      MBeanServerConnection s = c.getMBeanServerConnection();
      String id = pick(s, where, node);
      ObjectName opsName = name("TransactionManagerOperations", id);
      if (!s.isRegistered(opsName)) {
        throw new CliException(
            ExitCodes.REFUSED,
            "the transaction manager of node "
                + id
                + " in "
                + where
                + " publishes no operations: it runs with "
                + SETTING
                + "=false (the default). Set "
                + SETTING
                + "=true (or XATM_JMX_OPERATIONS=true) and restart it, after securing JMX"
                + " (docs/operations.md, \"Securing JMX\"); or stop it and use the offline"
                + " listings (without --pid/--jmx)");
      }
      return new OnlineTm(c, where, id, JMX.newMXBeanProxy(s, opsName, XatmOperationsMXBean.class));
    } catch (IOException e) {
      close(c);
      throw new CliException(
          ExitCodes.UNREACHABLE, "JMX at " + where + " failed: " + e.getMessage(), e);
    } catch (CliException | RuntimeException e) {
      close(c);
      throw e;
    }
  }

  /** The local management agent's address of process {@code pid}. */
  private static String attach(long pid) throws CliException {
    VirtualMachine vm;
    try {
      vm = VirtualMachine.attach(Long.toString(pid));
    } catch (AttachNotSupportedException | IOException e) {
      throw new CliException(
          ExitCodes.UNREACHABLE,
          "cannot attach to process "
              + pid
              + ": "
              + e.getMessage()
              + " (it must be a running JVM of the same user; or use --jmx URL)",
          e);
    }
    try {
      return vm.startLocalManagementAgent();
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.UNREACHABLE,
          "process " + pid + " did not start its local management agent: " + e.getMessage(),
          e);
    } finally {
      try {
        vm.detach();
      } catch (IOException e) {
        // detaching is best effort; the agent's address is what counts
      }
    }
  }

  private static String pick(MBeanServerConnection s, String where, String node)
      throws IOException, CliException {
    Set<ObjectName> found = s.queryNames(pattern(), null);
    List<String> nodes = new ArrayList<>();
    for (ObjectName n : found) {
      nodes.add(ObjectName.unquote(n.getKeyProperty("node")));
    }
    nodes.sort(null);
    if (node != null) {
      if (!nodes.contains(node)) {
        throw new CliException(
            ExitCodes.UNREACHABLE,
            "no transaction manager of node " + node + " in " + where + " (found: " + nodes + ")");
      }
      return node;
    }
    if (nodes.isEmpty()) {
      throw new CliException(
          ExitCodes.UNREACHABLE,
          "no xatm transaction manager in "
              + where
              + " (none started, or it runs with xatm.jmx.enabled=false)");
    }
    if (nodes.size() > 1) {
      throw new CliException(
          ExitCodes.USAGE, where + " runs several transaction managers " + nodes + ": give --node");
    }
    return nodes.get(0);
  }

  private static ObjectName pattern() {
    try {
      return new ObjectName("dev.xatm:type=TransactionManager,*");
    } catch (MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectName name(String type, String node) {
    try {
      return new ObjectName("dev.xatm:type=" + type + ",node=" + ObjectName.quote(node));
    } catch (MalformedObjectNameException e) {
      throw new IllegalStateException(e);
    }
  }

  String nodeId() {
    return nodeId;
  }

  String where() {
    return where;
  }

  /**
   * Runs one operation; the TM's refusals (an Xid not listed, a rollback of a decided transaction)
   * become {@link ExitCodes#REFUSED}, its failures and a lost connection {@link
   * ExitCodes#UNREACHABLE}, each with the TM's message.
   */
  <T> T call(String what, java.util.function.Function<XatmOperationsMXBean, T> op)
      throws CliException {
    try {
      return op.apply(ops);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CliException(
          ExitCodes.REFUSED, what + " refused by node " + nodeId + ": " + e.getMessage());
    } catch (UndeclaredThrowableException e) {
      Throwable c = e.getCause();
      throw new CliException(
          ExitCodes.UNREACHABLE,
          what + ": JMX at " + where + " failed: " + (c == null ? e : c.getMessage()),
          e);
    } catch (RuntimeException e) {
      throw new CliException(
          ExitCodes.UNREACHABLE, what + " failed in node " + nodeId + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    close(connector);
  }

  private static void close(JMXConnector c) {
    try {
      c.close();
    } catch (IOException e) {
      // the command's work is done; a failed close changes nothing
    }
  }
}
