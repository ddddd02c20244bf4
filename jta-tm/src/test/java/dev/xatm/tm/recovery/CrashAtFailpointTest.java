package dev.xatm.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.testing.FakeXAResource.BranchState;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A transaction over two resources (one for the one-phase point) is frozen at a failpoint, the
 * process is "crashed" (its log copied as it is, its thread never resumes), and a new TM on the
 * same log and resources recovers. Then: I1/I3 (a durable Committing means every branch committed,
 * none rolled back), I2 (no Committing means no branch committed), I4 (nothing of ours prepared,
 * nothing in doubt).
 */
class CrashAtFailpointTest {

  /** Thrown into the frozen thread at the end so it dies without touching anything. */
  static final class Killed extends Error {
    private static final long serialVersionUID = 1L;
  }

  @ParameterizedTest
  @EnumSource(
      value = Failpoint.class,
      names = {"AFTER_MIRROR_DECISION"}, // hit only in the cluster mode
      mode = EnumSource.Mode.EXCLUDE)
  void newProcessRecoversTheTransactionLeftAtThisPoint(Failpoint point) throws Exception {
    try (Rig rig = new Rig()) {
      PreparedResource a = rig.resource("a");
      PreparedResource b = rig.resource("b");
      rig.start();
      CountDownLatch reached = new CountDownLatch(1);
      CountDownLatch never = new CountDownLatch(1);
      rig.failpoints.arm(
          point,
          Failpoints.onHit(
              1,
              (p, g, br) -> {
                reached.countDown();
                try {
                  never.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                throw new Killed();
              }));
      boolean onePhase = point == Failpoint.BEFORE_ONE_PHASE_COMMIT;
      AtomicReference<Gtrid> gtrid = new AtomicReference<>();
      Thread app =
          new Thread(
              () -> {
                try {
                  rig.tm.begin();
                  gtrid.set((Gtrid) rig.tm.getTransactionKey());
                  rig.tm.getTransaction().enlistResource(a);
                  if (!onePhase) {
                    rig.tm.getTransaction().enlistResource(b);
                  }
                  rig.tm.commit();
                } catch (Killed | Exception expected) {
                  // the "process" died here
                }
              });
      app.start();
      assertTrue(reached.await(10, TimeUnit.SECONDS), point + " was never reached");
      Gtrid g = gtrid.get();
      boolean committing =
          rig.log.records().stream()
              .anyMatch(r -> r instanceof TxRecord.Committing c && c.gtrid().equals(g));

      rig.crashAndRestart();
      RecoveryReport report = rig.tm.recovery().lastReport();

      List<XatmXid> xids =
          onePhase ? List.of(new XatmXid(g, 1)) : List.of(new XatmXid(g, 1), new XatmXid(g, 2));
      PreparedResource[] rs = {a, b};
      for (int i = 0; i < xids.size(); i++) {
        BranchState s = rs[i].state(xids.get(i));
        if (committing) {
          assertEquals(BranchState.COMMITTED, s, point + " I3 " + xids.get(i) + "\n" + report);
        } else {
          assertTrue(s != BranchState.COMMITTED, point + " I2 " + xids.get(i) + "\n" + report);
        }
        assertFalse(rs[i].holds(xids.get(i)), point + " I4 " + xids.get(i));
      }
      assertFalse(report.unresolved(), point + "\n" + report);
      assertTrue(rig.tm.recovery().inDoubt().isEmpty());
      assertTrue(rig.tm.startupLogState().decided().isEmpty() || committing);
      assertTrue(rig.tm.recovery().runPass().lines().isEmpty(), point + ": converged");
      assertEquals(0, rig.log.replay().decided().size(), point + ": End written for decided");
      never.countDown();
      app.join(10_000);
    }
  }
}
