package dev.xatm.tm.recovery;

import static dev.xatm.tm.recovery.Rig.branches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.StoppedNodeOperator;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.HeuristicOutcome;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.Outcome;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.testing.FakeXAResource.BranchState;
import dev.xatm.tm.testing.Journal;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: an operator resolves one in-doubt Xid of a stopped node through its log, with the
 * running TM's rules (decision durable first, no rollback of a decided gtrid, only what the next
 * start would keep in doubt), and nothing else is touched.
 */
class StoppedNodeOperatorTest {
  private static final int INCARNATION = 0x5eed;
  @TempDir Path dir;
  private final Journal journal = new Journal();
  private final PreparedResource a = new PreparedResource("a", journal);
  private final FakeConnector connector = new FakeConnector().add("a", a);
  private Path logDir;
  private long logId;

  private XatmConfig config() {
    return XatmConfig.builder()
        .nodeId("n1")
        .logDir(logDir)
        .segmentSize(1 << 20)
        .recovery("xatm.recovery.resource.a.url", "fake:a")
        .recovery("xatm.recovery.resource.a.user", "user")
        .recovery("xatm.recovery.resource.a.password", "pw")
        .build();
  }

  private WalTxLog openLog() throws Exception {
    return new WalTxLog(
        Wal.open(
            WalConfig.builder(logDir)
                .nodeId("n1")
                .segmentSize(1 << 20)
                .maxRecordSize(1 << 18)
                .build()));
  }

  private Gtrid g(long seq) {
    return new Gtrid("n1", logId, INCARNATION, 1, seq);
  }

  @BeforeEach
  void anEarlierRunLeftItsLog() throws Exception {
    logDir = dir.resolve("log");
    try (WalTxLog log = openLog()) {
      log.replay();
      logId = log.logId();
      log.logEpoch(1, INCARNATION, 1);
      log.logResourceRegistered(new ResourceDescriptor("a", "fake:a", "user"));
      log.logKeptInDoubt(g(1), "kept by a damaged start");
      log.logKeptInDoubt(g(2), "kept by a damaged start");
      log.logCommitting(g(3), branches("a"));
      log.logHeuristic(g(4), Rig.branch("a", 1), HeuristicOutcome.MIXED);
    }
    for (long s = 1; s <= 3; s++) {
      a.hold(new XatmXid(g(s), 1));
    }
    a.hold(new XatmXid(g(5), 1)); // begun nowhere, earlier run: the next start presumes abort
  }

  private LogState logged() throws Exception {
    try (WalTxLog log = openLog()) {
      return log.replay();
    }
  }

  @Test
  void resolvesExactlyTheXidAskedAboutThroughTheLog() throws Exception {
    try (StoppedNodeOperator op =
        StoppedNodeOperator.open(config(), Map.of(), List.of(connector))) {
      List<String> inDoubt = op.inDoubt().stream().map(InDoubtXid::xid).sorted().toList();
      assertEquals(
          List.of(new XatmXid(g(1), 1).toString(), new XatmXid(g(2), 1).toString()),
          inDoubt,
          "only what the next start would keep in doubt");
      RecoveryLine c = op.commit(new XatmXid(g(1), 1).toString());
      assertEquals(RecoveryResult.DONE, c.result(), c.toString());
      RecoveryLine r = op.rollback(new XatmXid(g(2), 1).toString());
      assertEquals(RecoveryResult.DONE, r.result(), r.toString());
      // Decided (g3) and presumed-abort (g5) Xids are the next start's, not the operator's.
      assertThrows(
          IllegalArgumentException.class, () -> op.commit(new XatmXid(g(5), 1).toString()));
      assertThrows(
          RecoveryRefusedException.class,
          () -> op.rollback(new XatmXid(g(3), 1).toString()),
          "I3: a decided gtrid never rolls back");
    }
    assertEquals(BranchState.COMMITTED, a.state(new XatmXid(g(1), 1)));
    assertFalse(a.holds(new XatmXid(g(2), 1)));
    assertTrue(a.holds(new XatmXid(g(3), 1)), "nothing else touched: no pass ran");
    assertTrue(a.holds(new XatmXid(g(5), 1)), "nothing presumed aborted");
    LogState after = logged();
    assertTrue(after.decided().containsKey(g(1)), "the commit decision was logged first");
    assertTrue(after.keptInDoubt().isEmpty(), after.keptInDoubt().toString());
    assertEquals(java.util.Optional.of(Outcome.ROLLED_BACK), after.endedOutcome(g(2)));
    assertEquals(1, after.epoch(), "no epoch taken");
  }

  @Test
  void aForeignXidIsResolvedOnlyOnExplicitRequestAndNothingIsLogged() throws Exception {
    XatmXid foreign = new XatmXid(new Gtrid("other-node", 0x99, 1, 1, 1), 1);
    a.hold(foreign);
    LogState before = logged();
    try (StoppedNodeOperator op =
        StoppedNodeOperator.open(config(), Map.of(), List.of(connector))) {
      assertThrows(
          IllegalArgumentException.class,
          () -> op.resolveForeign(new XatmXid(g(1), 1).toString(), false),
          "our own Xids are not foreign");
      // Named as foreign list shows it: format id, gtrid and bqual in hex.
      java.util.HexFormat hex = java.util.HexFormat.of();
      String name =
          Integer.toHexString(foreign.getFormatId())
              + ":"
              + hex.formatHex(foreign.getGlobalTransactionId())
              + ":"
              + hex.formatHex(foreign.getBranchQualifier());
      RecoveryLine l = op.resolveForeign(name, false);
      assertEquals(RecoveryResult.DONE, l.result(), l.toString());
    }
    assertFalse(a.holds(foreign));
    assertTrue(a.holds(new XatmXid(g(1), 1)), "nothing else touched");
    assertEquals(before.lastLsn(), logged().lastLsn(), "not this log's transaction: no record");
  }

  @Test
  void clearsAHeuristicDurably() throws Exception {
    try (StoppedNodeOperator op =
        StoppedNodeOperator.open(config(), Map.of(), List.of(connector))) {
      assertEquals(1, op.heuristics().size());
      assertEquals(1, op.clearHeuristic(new XatmXid(g(4), 1).toString()));
    }
    assertTrue(logged().heuristics().isEmpty());
  }

  @Test
  void aNodeThatRunsIsRefusedNamingTheHolder() throws Exception {
    try (TxLog running = openLog()) {
      XatmStartupException e =
          assertThrows(
              XatmStartupException.class,
              () -> StoppedNodeOperator.open(config(), Map.of(), List.of(connector)));
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }
  }

  @Test
  void aNodeInClusterModeIsRefusedBeforeItsLogIsTouched() throws Exception {
    XatmConfig clustered =
        XatmConfig.fromProperties(
            Map.of(
                "xatm.node-id", "n1",
                "xatm.log.dir", logDir.toString(),
                "xatm.cluster.url", "jdbc:postgresql://db.internal/xatm"),
            Map.of(),
            Map.of());
    XatmStartupException e =
        assertThrows(
            XatmStartupException.class,
            () -> StoppedNodeOperator.open(clustered, Map.of(), List.of(connector)));
    assertTrue(e.getMessage().contains("cluster mode"), e.getMessage());
    assertTrue(e.getMessage().contains("online command"), e.getMessage());
    try (TxLog free = openLog()) {
      assertTrue(free.nodeId().equals("n1"), "the log is not held by the refused command");
    }
  }
}
