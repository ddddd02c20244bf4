package dev.xatm.tm.recovery;

import static dev.xatm.tm.recovery.Rig.branches;
import static dev.xatm.tm.recovery.Rig.gtrid;
import static dev.xatm.tm.recovery.Rig.xid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import org.junit.jupiter.api.Test;

/**
 * Measures (prints, does not assert on time) one pass over 1,000 in-doubt Xids on two fake
 * resources: 500 gtrids with a branch on each, half decided (commit, then End) and half presumed
 * aborted (rollback). The number is for the issue note; every line is also logged, as in
 * production.
 */
class ThousandInDoubtPassTest {

  @Test
  void passOverAThousandInDoubtXids() throws Exception {
    try (Rig rig = new Rig()) {
      PreparedResource a = rig.resource("a");
      PreparedResource b = rig.resource("b");
      rig.earlierProcess("a", "b");
      for (int i = 1; i <= 500; i++) {
        Gtrid g = gtrid(1, i);
        if (i % 2 == 0) {
          rig.log.logCommitting(g, branches("a", "b"));
        }
        a.hold(xid(g, 1));
        b.hold(xid(g, 2));
      }
      rig.set("xatm.recovery.startup", "false").start();
      RecoveryReport r = rig.tm.recovery().runPass();
      System.out.println(
          "RECOVERY-TIMING: one pass over 1000 in-doubt Xids (500 commits, 500 rollbacks, 250"
              + " Ends, 2 fake resources) took "
              + r.duration().toMillis()
              + " ms");
      assertEquals(1000, r.count(RecoveryResult.DONE) - 250, r.summary());
      assertTrue(a.held().isEmpty() && b.held().isEmpty());
    }
  }
}
