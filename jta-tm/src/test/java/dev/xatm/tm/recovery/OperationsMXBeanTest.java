package dev.xatm.tm.recovery;

import static dev.xatm.tm.recovery.Rig.branches;
import static dev.xatm.tm.recovery.Rig.gtrid;
import static dev.xatm.tm.recovery.Rig.xid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.XatmOperationsMXBean;
import dev.xatm.tm.testing.FakeXAResource.BranchState;
import dev.xatm.tm.testing.FakeXAResource.Op;
import java.lang.management.ManagementFactory;
import java.util.Map;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link XatmOperationsMXBean}: published only with {@code xatm.jmx.operations=true}, open types
 * only, and every action is {@code tm.recovery()}'s, including its refusals.
 */
class OperationsMXBeanTest {
  private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();
  private final Rig rig = new Rig();

  @AfterEach
  void close() throws Exception {
    rig.close();
  }

  private static ObjectName name() throws Exception {
    return new ObjectName(
        "dev.xatm:type=TransactionManagerOperations,node=" + ObjectName.quote(Rig.NODE));
  }

  @Test
  void notPublishedUnlessEnabled() throws Exception {
    rig.resource("a");
    rig.start();
    assertFalse(SERVER.isRegistered(name()), "operations are off by default");
  }

  @Test
  void aMisspeltJmxSettingOrOperationsWithoutJmxFailsNamingTheKey() {
    XatmConfigException typo =
        assertThrows(
            XatmConfigException.class,
            () -> XatmConfig.fromProperties(Map.of("xatm.jmx.operation", "true")));
    assertTrue(typo.getMessage().contains("xatm.jmx.operation"), typo.getMessage());
    assertTrue(typo.getMessage().contains("xatm.jmx.operations"), typo.getMessage());
    XatmConfigException env =
        assertThrows(
            XatmConfigException.class,
            () -> XatmConfig.load(Map.of(), Map.of("XATM_JMX_OPERATONS", "true"), null));
    assertTrue(env.getMessage().contains("XATM_JMX_OPERATONS"), env.getMessage());
    assertTrue(
        XatmConfig.load(Map.of(), Map.of("XATM_JMX_OPERATIONS", "true"), null).jmxOperations());
    XatmConfigException bad =
        assertThrows(
            XatmConfigException.class,
            () -> XatmConfig.fromProperties(Map.of("xatm.jmx.operations", "yes")));
    assertTrue(bad.getMessage().contains("xatm.jmx.operations"), bad.getMessage());
    XatmConfigException withoutJmx =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmConfig.fromProperties(
                    Map.of("xatm.jmx.operations", "true", "xatm.jmx.enabled", "false")));
    assertTrue(withoutJmx.getMessage().contains("xatm.jmx.enabled"), withoutJmx.getMessage());
    assertFalse(XatmConfig.builder().build().jmxOperations());
  }

  @Test
  void listsCommitsRefusesAndClearsThroughJmxWithOpenTypesOnly() throws Exception {
    PreparedResource a = rig.resource("a");
    PreparedResource b = rig.resource("b");
    rig.earlierProcess("a", "b");
    // g: kept in doubt by an earlier start (an operator must decide).
    Gtrid g = gtrid(1, 5);
    rig.log.logBegin(g, branches("a"), 0);
    rig.log.logKeptInDoubt(g, "test: the log was damaged");
    a.hold(xid(g, 1));
    // d: decided; its commit answers a heuristic rollback, which recovery logs.
    Gtrid d = gtrid(1, 6);
    rig.log.logCommitting(d, branches("b"));
    b.hold(xid(d, 1));
    b.script(Op.COMMIT, XAException.XA_HEURRB);
    rig.configure = c -> c.jmxOperations(true);
    rig.start();
    assertTrue(SERVER.isRegistered(name()));

    // Open types only: what a client without xatm classes reads.
    CompositeData[] raw = (CompositeData[]) SERVER.invoke(name(), "listInDoubt", null, null);
    assertEquals(1, raw.length);
    assertEquals(xid(g, 1).toString(), raw[0].get("xid"));
    assertEquals("a", raw[0].get("resourceId"));
    assertEquals("IN_DOUBT", raw[0].get("result"));

    XatmOperationsMXBean ops = JMX.newMXBeanProxy(SERVER, name(), XatmOperationsMXBean.class);
    XatmOperationsMXBean.Heuristic[] h = ops.listHeuristics();
    assertEquals(1, h.length);
    assertEquals(xid(d, 1).toString(), h[0].xid(), "the form clearHeuristic takes");
    assertEquals("ROLLED_BACK", h[0].outcome());

    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> ops.commitInDoubt("n1/1/77#1"));
    assertTrue(unknown.getMessage().contains("not in doubt"), unknown.getMessage());
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> ops.rollbackInDoubt(xid(d, 1).toString()));
    assertEquals(IllegalStateException.class, refused.getClass(), "a JDK type over JMX");
    assertTrue(refused.getMessage().contains("durable Committing"), refused.getMessage());

    XatmOperationsMXBean.Line done = ops.commitInDoubt(xid(g, 1).toString());
    assertEquals("DONE", done.result());
    assertEquals(BranchState.COMMITTED, a.state(xid(g, 1)));
    assertEquals(0, ops.listInDoubt().length);

    assertEquals(1, ops.clearHeuristic(h[0].xid()));
    assertEquals(0, ops.listHeuristics().length);

    XatmOperationsMXBean.Pass pass = ops.runRecoveryPass();
    assertFalse(pass.unresolved(), pass.summary());
    assertEquals(Rig.NODE, pass.nodeId());

    rig.tm.close();
    assertFalse(SERVER.isRegistered(name()), "unregistered on close");
  }
}
