package dev.xatm.cli;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.XatmXid;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;

/**
 * A running transaction manager for the online tests, in its own JVM: node {@code args[1]} on a
 * real WAL in {@code args[0]}, {@code xatm.jmx.operations=args[2]}, two {@link MemoryRm}s. It
 * leaves one in-doubt Xid (an old-layout Xid of this node that the log has no record of: recovery
 * never presumes abort for it) and one heuristic (a transaction whose second branch answers
 * XA_HEURHAZ after the decision), prints {@code READY <pid> <in-doubt xid>}, and runs until its
 * stdin closes.
 */
public final class OnlineTmChild {
  private OnlineTmChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String node = args[1];
    boolean operations = Boolean.parseBoolean(args[2]);
    MemoryRm a = new MemoryRm("rm-a");
    MemoryRm b = new MemoryRm("rm-b");
    XatmXid inDoubt = new XatmXid(new Gtrid(node, 1, 42), 1);
    a.hold(inDoubt);
    XatmConfig config =
        XatmConfig.builder()
            .nodeId(node)
            .logDir(dir)
            .segmentSize(64 * 1024)
            .jmxOperations(operations)
            .installAsDefault(false)
            .recovery("xatm.recovery.resource.a.url", "mem:rm-a")
            .recovery("xatm.recovery.resource.b.url", "mem:rm-b")
            .recovery("xatm.recovery.interval", "0")
            .build();
    try (XatmTransactionManager tm =
        XatmTransactionManager.builder(config)
            .recoveryConnectors(List.of(MemoryRm.connector(Map.of("rm-a", a, "rm-b", b))))
            .start()) {
      b.commitAnswers(XAException.XA_HEURHAZ);
      tm.begin();
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(b);
      try {
        tm.commit();
      } catch (jakarta.transaction.HeuristicMixedException expected) {
        // the heuristic the tests list and clear
      }
      b.commitAnswers(0);
      System.out.println("READY " + ProcessHandle.current().pid() + " " + inDoubt);
      System.out.flush();
      while (System.in.read() >= 0) {
        // run until the parent closes stdin
      }
    }
  }
}
