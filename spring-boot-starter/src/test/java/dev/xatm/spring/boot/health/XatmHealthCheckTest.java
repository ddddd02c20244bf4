package dev.xatm.spring.boot.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.spring.boot.StartupRecoveryMode;
import dev.xatm.spring.boot.XatmStartupRecovery;
import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.recovery.RecoveryResult;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceDescriptor;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code xatm} health (audit gap 3 of issue 13): DOWN after a log failure and after a startup
 * pass that threw, and the in-doubt and heuristic counts when they are not zero (UP: they need an
 * operator, not a restart). A real TM with stub resources; no database and no Boot context (the
 * Boot 3 and 4 indicators only adapt this result, see it-boot).
 */
class XatmHealthCheckTest {
  @TempDir Path dir;

  private XatmTransactionManager.Builder builder(Map<String, String> extra) {
    Map<String, String> p = new HashMap<>();
    p.put("xatm.node-id", "health-unit");
    p.put("xatm.log.dir", dir.resolve("log").toString());
    p.put("xatm.jmx.enabled", "false");
    p.put("xatm.runtime.install-default", "false");
    p.putAll(extra);
    return XatmTransactionManager.builder(XatmConfig.fromMergedSettings(p));
  }

  @Test
  void aLogFailureThatStoppedTheTmIsDownWithItsCause() throws Exception {
    Failpoints fp = new Failpoints();
    fp.arm(Failpoint.BEFORE_COMMITTING_DURABLE, Failpoints.fail("EIO on fsync"));
    try (XatmTransactionManager tm = builder(Map.of()).failpoints(fp).start()) {
      XatmHealthCheck check = new XatmHealthCheck(tm, blocking(tm));
      assertEquals("UP", check.check().status());
      tm.begin();
      tm.getTransaction().enlistResource(StubXaResource.agreeing());
      tm.getTransaction().enlistResource(StubXaResource.agreeing());
      assertThrows(RollbackException.class, tm::commit);

      XatmHealthCheck.Result r = check.check();
      assertEquals("DOWN", r.status(), () -> "" + r.details());
      assertEquals(true, r.details().get("failStopped"));
      assertTrue(
          String.valueOf(r.details().get("failStopCause")).contains("EIO on fsync"),
          () -> "" + r.details());
    }
  }

  @Test
  void aStartupPassThatThrewIsDownAndSaysWhat() throws Exception {
    try (XatmTransactionManager tm = builder(Map.of("xatm.recovery.startup", "false")).start()) {
      XatmStartupRecovery startup =
          new XatmStartupRecovery(
              tm,
              StartupRecoveryMode.BACKGROUND,
              true,
              () -> {
                throw new IllegalStateException("the scan of bank-a exploded");
              });
      XatmHealthCheck check = new XatmHealthCheck(tm, startup);
      assertEquals("OUT_OF_SERVICE", check.check().status(), "PENDING before the context starts");
      startup.start();
      startup.stop(); // joins the pass's thread
      XatmHealthCheck.Result r = check.check();
      assertEquals("DOWN", r.status(), () -> "" + r.details());
      assertEquals("FAILED", r.details().get("startupRecovery"));
      assertTrue(
          String.valueOf(r.details().get("startupRecoveryFailure"))
              .contains("the scan of bank-a exploded"),
          () -> "" + r.details());
    }
  }

  @Test
  void anUnresolvedHeuristicIsCountedAndLeavesItUp() throws Exception {
    try (XatmTransactionManager tm = builder(Map.of()).start()) {
      XatmHealthCheck check = new XatmHealthCheck(tm, blocking(tm));
      tm.begin();
      tm.getTransaction().enlistResource(StubXaResource.agreeing());
      tm.getTransaction()
          .enlistResource(
              new StubXaResource() {
                @Override
                public void commit(Xid xid, boolean onePhase) throws XAException {
                  throw new XAException(XAException.XA_HEURRB);
                }
              });
      assertThrows(HeuristicMixedException.class, tm::commit);
      XatmHealthCheck.Result r = check.check();
      assertEquals("UP", r.status(), () -> "" + r.details());
      assertEquals(1, r.details().get("unresolvedHeuristics"));
      assertEquals(0, r.details().get("inDoubt"));
    }
  }

  @Test
  void anInDoubtXidIsCountedAndLeavesItUp() throws Exception {
    // A prepared old-layout Xid of this node id that the log holds no record of: another process
    // with the same node id may own it, so recovery keeps it in doubt for an operator.
    Xid[] prepared = new Xid[1];
    RecoveryConnector connector =
        new RecoveryConnector() {
          @Override
          public boolean accepts(String url) {
            return url.startsWith("stub:");
          }

          @Override
          public RecoverySession open(ResourceDescriptor resource, String password) {
            XAResource xa =
                new StubXaResource() {
                  @Override
                  public Xid[] recover(int flag) {
                    return (flag & TMSTARTRSCAN) != 0 ? prepared.clone() : new Xid[0];
                  }
                };
            return new RecoverySession() {
              @Override
              public XAResource xaResource() {
                return xa;
              }

              @Override
              public void close() {}
            };
          }
        };
    try (XatmTransactionManager tm =
        builder(
                Map.of(
                    "xatm.recovery.resource.stub.url",
                    "stub:bank",
                    "xatm.recovery.startup",
                    "false"))
            .recoveryConnectors(List.of(connector))
            .start()) {
      prepared[0] = new XatmXid(new Gtrid("health-unit", tm.epoch(), 42), 1);
      assertEquals(1, tm.recovery().runPass().count(RecoveryResult.IN_DOUBT));
      XatmHealthCheck.Result r =
          new XatmHealthCheck(tm, new XatmStartupRecovery(tm, StartupRecoveryMode.BLOCKING, false))
              .check();
      assertEquals("UP", r.status(), () -> "" + r.details());
      assertEquals(1, r.details().get("inDoubt"));
      assertEquals(true, r.details().get("lastRecoveryUnresolved"));
      assertEquals("DISABLED", r.details().get("startupRecovery"));
    }
  }

  private static XatmStartupRecovery blocking(XatmTransactionManager tm) {
    return new XatmStartupRecovery(tm, StartupRecoveryMode.BLOCKING, true);
  }
}
