package dev.xatm.tm.recovery;

import static dev.xatm.tm.recovery.Rig.branches;
import static dev.xatm.tm.recovery.Rig.gtrid;
import static dev.xatm.tm.recovery.Rig.xid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmMetrics;
import dev.xatm.tm.XatmXid;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, "nothing hidden": prepared branches recovery cannot act for (other nodes' Xids, and
 * branches of undecided transactions on a resource it cannot reach) hold locks, so they are counted
 * and reported, not folded into "nothing unresolved".
 */
class NothingHiddenTest {
  private final Rig rig = new Rig();

  @AfterEach
  void close() throws Exception {
    rig.close();
  }

  @Test
  void foreignPreparedXidsAreCountedWithTheAgeOfTheOldest() throws Exception {
    PreparedResource a = rig.resource("a");
    XatmXid other = new XatmXid(new Gtrid("other-node", 0x77, 5, 3, 9), 1);
    a.hold(other);
    rig.set("xatm.recovery.interval", "0").start();
    XatmMetrics m = rig.tm.metrics();
    assertEquals(1, m.foreignPreparedXids(), m.toString());
    assertEquals(0, m.oldestForeignPreparedSeconds());
    assertEquals(0, m.inDoubt(), "not ours: never in doubt, never touched");
    rig.clock.advance(Duration.ofSeconds(90));
    rig.tm.recovery().runPass();
    assertEquals(90, rig.tm.metrics().oldestForeignPreparedSeconds(), "first seen is kept");
    assertTrue(a.holds(other), "never touched");
    a.release(other);
    rig.tm.recovery().runPass();
    assertEquals(0, rig.tm.metrics().foreignPreparedXids());
    assertEquals(-1, rig.tm.metrics().oldestForeignPreparedSeconds());
  }

  @Test
  void undecidedBranchesOnAnUnreachableResourceAreReportedAndCounted() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.resource("b");
    rig.earlierProcess("a", "b");
    Gtrid g = gtrid(1, 4); // crashed in phase 1: a Begin, no decision
    rig.log.logBegin(g, branches("a", "b"), 0);
    a.hold(xid(g, 1));
    rig.connector.down("b", true);
    rig.set("xatm.recovery.interval", "0").start();
    RecoveryReport r = rig.tm.recovery().lastReport();
    List<RecoveryLine> lines =
        r.lines().stream().filter(l -> l.xid().equals(xid(g, 2).toString())).toList();
    assertEquals(1, lines.size(), r.toString());
    assertEquals(RecoveryResult.UNREACHABLE, lines.get(0).result());
    assertEquals(RecoveryLogState.BEGUN, lines.get(0).logState());
    assertTrue(lines.get(0).reason().contains("may hold locks"), lines.get(0).reason());
    assertTrue(r.unresolved(), "not 'nothing unresolved' while b may hold locks");
    assertEquals(1, rig.tm.metrics().undecidedOnUnreachable());
    assertTrue(!a.holds(xid(g, 1)), "a's branch is presumed aborted as before");

    rig.connector.down("b", false);
    rig.tm.recovery().runPass();
    assertEquals(0, rig.tm.metrics().undecidedOnUnreachable());
  }
}
