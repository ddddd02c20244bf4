package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.FakeXAResource.Op;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.RollbackException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;

/** What {@link XatmTransactionManager#metrics()} counts, and its JMX publication. */
class MetricsTest {

  private static XatmConfig config(String node, boolean jmx) {
    return XatmConfig.builder()
        .nodeId(node)
        .defaultTimeout(Duration.ofSeconds(60))
        .jmxEnabled(jmx)
        .build();
  }

  @Test
  void countsEveryOutcomeOnce() throws Exception {
    try (TestTm t = new TestTm(config("test-node", false))) {
      XatmTransactionManager tm = t.tm;
      FakeXAResource a = t.resource("a");
      FakeXAResource b = t.resource("b");

      tm.begin(); // 2PC commit
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(b);
      tm.commit();

      tm.begin(); // application rollback
      tm.getTransaction().enlistResource(a);
      tm.rollback();

      b.script(Op.PREPARE, XAException.XA_RBDEADLOCK); // a rollback vote
      tm.begin();
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(b);
      assertThrows(RollbackException.class, tm::commit);

      tm.begin(); // still running when the snapshot is taken
      XatmMetrics m = tm.metrics();
      assertEquals("test-node", m.nodeId());
      assertEquals(4, m.begun());
      assertEquals(1, m.committed());
      assertEquals(2, m.rolledBack());
      assertEquals(0, m.heuristic());
      assertEquals(1, m.active());
      assertEquals(0, m.pendingRetries());
      assertFalse(m.failStopped());
      tm.rollback();
      assertEquals(0, tm.metrics().active());
      assertEquals(3, tm.metrics().rolledBack());
    }
  }

  @Test
  void publishedOverJmxWhileRunningAndRemovedOnClose() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = MetricsBean.nameOf("test-node");
    try (TestTm t = new TestTm(config("test-node", true))) {
      assertTrue(server.isRegistered(name), name.toString());
      t.tm.begin();
      t.tm.getTransaction().enlistResource(t.resource("a"));
      t.tm.commit();
      assertEquals(1L, server.getAttribute(name, "TransactionsCommitted"));
      assertEquals("test-node", server.getAttribute(name, "NodeId"));
      assertEquals(false, server.getAttribute(name, "FailStopped"));
    }
    assertFalse(server.isRegistered(name), "unregistered when the TM closes");
  }

  @Test
  void canBeTurnedOff() throws Exception {
    ObjectName name = MetricsBean.nameOf("test-node");
    try (TestTm t = new TestTm(config("test-node", false))) {
      assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(name));
    }
  }
}
