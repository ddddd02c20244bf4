package dev.xatm.tm.recovery;

import static dev.xatm.tm.recovery.Rig.branches;
import static dev.xatm.tm.recovery.Rig.gtrid;
import static dev.xatm.tm.recovery.Rig.xid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@link RecoveryInspection#inspect}: the decisions a start would make, read-only, by the same
 * table; nothing but recover() is sent.
 */
class RecoveryInspectionTest {
  private final Rig rig = new Rig();

  @Test
  void decidesLikeTheNextStartAndSendsNothing() throws Exception {
    PreparedResource a = rig.resource("a");
    rig.resource("b");
    rig.connector.down("b", true);
    rig.earlierProcess("a", "b");
    Gtrid decided = gtrid(1, 1);
    rig.log.logBegin(decided, branches("a"), 0);
    rig.log.logCommitting(decided, branches("a"));
    Gtrid begun = gtrid(1, 2);
    rig.log.logBegin(begun, branches("a"), 0);
    Gtrid kept = gtrid(1, 3);
    rig.log.logKeptInDoubt(kept, "test reason");
    a.hold(xid(decided, 1));
    a.hold(xid(begun, 1));
    a.hold(xid(kept, 1));
    XatmXid otherNode = new XatmXid(new Gtrid("other-node", 7, 9, 1, 1), 1);
    a.hold(otherNode);
    XatmXid otherLog = new XatmXid(new Gtrid(Rig.NODE, 12345, 9, 1, 1), 1);
    a.hold(otherLog);

    RecoveryConfig config = RecoveryConfig.parse(rig.props, Map.of());
    RecoveryInspection.Report r =
        RecoveryInspection.inspect(
            rig.log.current(), Rig.LOG_ID, false, config, List.of(rig.connector));

    assertEquals(2, r.nextEpoch());
    assertEquals(List.of("a"), r.scanned());
    assertEquals(1, r.unreachable().size());
    assertEquals("b", r.unreachable().get(0).resourceId());
    Map<String, PreparedXid> byXid =
        r.prepared().stream().collect(Collectors.toMap(PreparedXid::xid, x -> x));
    PreparedXid d = byXid.get(xid(decided, 1).toString());
    assertEquals(RecoveryAction.COMMIT, d.action());
    assertEquals(RecoveryLogState.COMMITTING, d.logState());
    PreparedXid b = byXid.get(xid(begun, 1).toString());
    assertEquals(RecoveryAction.ROLLBACK, b.action());
    assertEquals(RecoveryLogState.BEGUN, b.logState());
    assertTrue(b.reason().contains("presumed abort"), b.reason());
    PreparedXid k = byXid.get(xid(kept, 1).toString());
    assertEquals(RecoveryResult.IN_DOUBT, k.result());
    assertTrue(k.reason().contains("test reason"), k.reason());
    PreparedXid o = byXid.get(foreignName(r));
    assertEquals(PreparedXid.Kind.FOREIGN, o.kind());
    assertEquals("other-node", o.ownerNode());
    assertEquals(PreparedXid.Kind.NODE_ID_CLASH, byXid.get(otherLog.toString()).kind());

    // Read-only: every Xid still prepared, nothing logged.
    for (XatmXid x : List.of(xid(decided, 1), xid(begun, 1), xid(kept, 1))) {
      assertTrue(a.holds(x), x.toString());
    }
    assertEquals(0, a.sent("commit") + a.sent("rollback"));
  }

  private static String foreignName(RecoveryInspection.Report r) {
    return r.prepared().stream()
        .filter(x -> x.kind() == PreparedXid.Kind.FOREIGN)
        .findFirst()
        .orElseThrow()
        .xid();
  }
}
