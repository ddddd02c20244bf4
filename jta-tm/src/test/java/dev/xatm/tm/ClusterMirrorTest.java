package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.cluster.MirrorRow;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.InMemoryTxLog;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.MirroringTxLog;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.log.TxRecordCodec;
import dev.xatm.tm.recovery.FakeConnector;
import dev.xatm.tm.recovery.PreparedResource;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryResult;
import dev.xatm.tm.testing.FakeDecisionMirror;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.FakeXAResource.BranchState;
import dev.xatm.tm.testing.Journal;
import dev.xatm.tm.testing.ManualClock;
import dev.xatm.tm.testing.ManualScheduler;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster mode's decision mirror in the TM (docs/cluster.md, "Decision mirror"), on fakes with
 * the real mirror's rules: the mirror's row is the decision point, each way a mirror write can end
 * leads to one consistent outcome, a restart reconciles its log with the mirror, and a peer
 * recovers a dead node from its mirror alone.
 */
class ClusterMirrorTest {
  private final Journal journal = new Journal();
  private final FakeDecisionMirror mirror = new FakeDecisionMirror(journal);
  private final InMemoryTxLog local = new InMemoryTxLog("n1");
  private final ManualClock clock = new ManualClock(1_000_000L);
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final Failpoints failpoints = new Failpoints();
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final FakeXAResource a = new PreparedResource("a", journal);
  private final FakeXAResource b = new PreparedResource("b", journal);
  private final FakeConnector connector = new FakeConnector().add("a", a).add("b", b);
  private XatmTransactionManager tm;
  private MirroringTxLog mirroring;

  private XatmTransactionManager start() {
    local.observe(r -> journal.add("log." + r.getClass().getSimpleName()));
    XatmConfig config =
        XatmConfig.builder()
            .nodeId("n1")
            .defaultTimeout(Duration.ofSeconds(60))
            .recovery("xatm.recovery.interval", "0")
            .recovery("xatm.recovery.resource.a.url", "fake:a")
            .recovery("xatm.recovery.resource.a.password", "pw")
            .recovery("xatm.recovery.resource.b.url", "fake:b")
            .recovery("xatm.recovery.resource.b.password", "pw")
            .build();
    tm =
        XatmTransactionManager.builder(config)
            .txLog(mirroring = new MirroringTxLog(local, mirror))
            .clock(clock)
            .scheduler(scheduler)
            .xaExecutor(Runnable::run)
            .phaseExecutor(executor)
            .failpoints(failpoints)
            .recoveryConnectors(List.of(connector))
            .installAsDefault(false)
            .start();
    return tm;
  }

  @AfterEach
  void close() throws Exception {
    if (tm != null) {
      tm.close();
    }
    executor.shutdownNow();
  }

  private Gtrid transfer() throws Exception {
    tm.begin();
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().enlistResource(b);
    return g;
  }

  @Test
  void theMirrorHoldsTheDecisionBeforeTheLocalCommittingAndForgetsItAfterEnd() throws Exception {
    start();
    Gtrid g = transfer();
    tm.commit();
    List<String> order = journal.events();
    int mirrored = order.lastIndexOf("mirror.decide");
    int logged = order.lastIndexOf("log.Committing");
    int committed = journal.indexOfPrefix("a.commit");
    assertTrue(mirrored >= 0 && mirrored < logged && logged < committed, order.toString());
    assertEquals(BranchState.COMMITTED, a.state(new XatmXid(g, 1)));
    assertTrue(journal.events().contains("mirror.forget"), "End forgets the row");
    assertTrue(mirror.decisions().isEmpty(), mirror.decisions().toString());
  }

  @Test
  void aRefusedDecisionRollsBackAndTheNodeGoesOn() throws Exception {
    start();
    transfer();
    tm.commit(); // the resources are registered (mirrored) before the epoch moves
    mirror.moveEpoch();
    long decidedBefore = journal.count("log.Committing");
    Gtrid g = transfer();
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertTrue(e.getMessage().contains("no commit decision may be made now"), e.getMessage());
    assertEquals(decidedBefore, journal.count("log.Committing"), "nothing decided locally");
    assertEquals(BranchState.ROLLED_BACK, a.state(new XatmXid(g, 1)));
    assertEquals(BranchState.ROLLED_BACK, b.state(new XatmXid(g, 2)));
    assertNull(tm.failStopCause(), "refused, not failed");
  }

  @Test
  void anUnansweredDecisionStaysPreparedUntilSettledAsDecidedThenCommits() throws Exception {
    start();
    mirror.unreachable(false);
    mirror.loseNextAnswer(true); // the row was committed, the answer lost
    Gtrid g = transfer();
    settleLater();
    SystemException e = assertThrows(SystemException.class, tm::commit);
    assertTrue(e.getMessage().contains("is not known yet"), e.getMessage());
    assertEquals(BranchState.PREPARED, a.state(new XatmXid(g, 1)), "left for the settler");
    assertEquals(BranchState.PREPARED, b.state(new XatmXid(g, 2)));
    RecoveryReport r = tm.recovery().runPass();
    assertEquals(2, r.count(RecoveryResult.LEFT_ALONE), r.toString());
    assertEquals(BranchState.PREPARED, a.state(new XatmXid(g, 1)), "recovery left it alone");
    mirror.unreachable(false);
    awaitSettled();
    r = tm.recovery().runPass();
    assertEquals(BranchState.COMMITTED, a.state(new XatmXid(g, 1)), r.toString());
    assertEquals(BranchState.COMMITTED, b.state(new XatmXid(g, 2)), r.toString());
    assertNull(tm.failStopCause());
  }

  @Test
  void anUnansweredDecisionNotWrittenIsSettledAsAbortedAndRolledBack() throws Exception {
    start();
    mirror.loseNextAnswer(false);
    Gtrid g = transfer();
    settleLater();
    assertThrows(SystemException.class, tm::commit);
    mirror.unreachable(false);
    awaitSettled();
    assertTrue(mirror.aborted(g.toBytes()), "tombstoned: it can never be decided later");
    RecoveryReport r = tm.recovery().runPass();
    assertEquals(BranchState.ROLLED_BACK, a.state(new XatmXid(g, 1)), r.toString());
    assertEquals(BranchState.ROLLED_BACK, b.state(new XatmXid(g, 2)), r.toString());
    assertEquals(0, journal.count("a.commit"));
  }

  @Test
  void decidedInTheMirrorButNotLocallyIsCommittedAndStopsTheTm() throws Exception {
    start();
    Gtrid warm = transfer(); // registers the resources first: the failing force is Committing
    tm.commit();
    local.failNextForced(new IOException("EIO on fsync"));
    Gtrid g = transfer();
    tm.commit(); // decided: the mirror holds it
    assertEquals(BranchState.COMMITTED, a.state(new XatmXid(g, 1)));
    assertEquals(BranchState.COMMITTED, b.state(new XatmXid(g, 2)));
    assertNotNull(tm.failStopCause(), "the local log failed: the TM stops");
    assertThrows(SystemException.class, tm::begin);
    assertNotNull(warm);
  }

  @Test
  void aRestartTakesTheMirrorsDecisionsAndMirrorsTheLogsOwn() throws Exception {
    Gtrid onlyMirrored = new Gtrid("n1", local.logId(), 7, 1, 1);
    Gtrid onlyLocal = new Gtrid("n1", local.logId(), 7, 1, 2);
    List<Branch> branches = List.of(new Branch("a", new byte[] {1}));
    mirror.add(
        new MirrorRow(
            MirrorRow.Kind.DECISION,
            onlyMirrored.toBytes(),
            false,
            TxRecordCodec.encode(new TxRecord.Committing(onlyMirrored, branches))));
    mirror.add(
        new MirrorRow(MirrorRow.Kind.DECISION, new byte[] {9, 9}, true, new byte[0])); // tombstone
    local.logEpoch(1, 7, 0);
    local.logCommitting(onlyLocal, branches);
    MirroringTxLog log = new MirroringTxLog(local, mirror);
    LogState state = log.replay();
    assertEquals(1, log.reconcile(state));
    LogState after = local.current();
    assertTrue(after.decided().containsKey(onlyMirrored), "taken from the mirror");
    assertTrue(after.decided().containsKey(onlyLocal));
    List<String> mirrored = mirror.decisions();
    assertTrue(
        mirrored.contains(HexFormat.of().formatHex(onlyLocal.toBytes())), mirrored::toString);
    assertEquals(2, mirrored.size(), "the tombstone was dropped: " + mirrored);
    assertEquals(1, journal.count("mirror.put.START"), "the log's start is mirrored");
  }

  @Test
  void aRestartRefusesALocalDecisionTheMirrorSettledAsAborted() throws Exception {
    Gtrid g = new Gtrid("n1", local.logId(), 7, 1, 3);
    mirror.add(new MirrorRow(MirrorRow.Kind.DECISION, g.toBytes(), true, new byte[0]));
    local.logEpoch(1, 7, 0);
    local.logCommitting(g, List.of(new Branch("a", new byte[] {1})));
    MirroringTxLog log = new MirroringTxLog(local, mirror);
    LogState state = log.replay();
    dev.xatm.tm.log.TxLogException e =
        assertThrows(dev.xatm.tm.log.TxLogException.class, () -> log.reconcile(state));
    assertTrue(e.getMessage().contains("settled as aborted"), e.getMessage());
    assertTrue(mirror.aborted(g.toBytes()), "nothing was changed");
  }

  @Test
  void aPeerCommitsWhatTheDeadNodeDecidedAndPresumesAbortForTheRest() throws Exception {
    start();
    // Decided, then the node "dies" before its commits reach the resources.
    failpoints.arm(Failpoint.BEFORE_COMMIT, Failpoints.fail("the node died"));
    Gtrid decided = transfer();
    tm.commit();
    // A prepared branch with no decision, as a crash between prepare and decision leaves it:
    XatmXid orphan =
        new XatmXid(new Gtrid("n1", local.logId(), decided.incarnation(), decided.epoch(), 99), 1);
    a.start(orphan, 0);
    a.end(orphan, 0);
    a.prepare(orphan);
    assertEquals(BranchState.PREPARED, a.state(new XatmXid(decided, 1)));

    FakeDecisionMirror peersView = mirror; // the peer reads the same table
    PeerTakeover peer =
        new PeerTakeover(
            "n2",
            List.of(connector),
            RecoveryConfig.parse(
                Map.of(
                    "xatm.recovery.interval", "0",
                    "xatm.recovery.resource.a.url", "fake:a",
                    "xatm.recovery.resource.a.password", "pw",
                    "xatm.recovery.resource.b.url", "fake:b",
                    "xatm.recovery.resource.b.password", "pw"),
                Map.of()),
            id -> null,
            clock,
            null,
            null);
    assertTrue(peer.recover("n1", local.logId(), peersView), "nothing left");
    assertEquals(BranchState.COMMITTED, a.state(new XatmXid(decided, 1)));
    assertEquals(BranchState.COMMITTED, b.state(new XatmXid(decided, 2)));
    assertEquals(BranchState.ROLLED_BACK, a.state(orphan), "presumed abort");
    assertFalse(
        mirror.decisions().contains(HexFormat.of().formatHex(decided.toBytes())),
        "the End forgot the row");
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
  }

  /**
   * Makes the mirror unreachable once the commit has started, so the settler waits for the test.
   */
  private void settleLater() {
    failpoints.arm(
        Failpoint.BEFORE_COMMITTING_DURABLE,
        Failpoints.onHit(1, (p, g, br) -> mirror.unreachable(true)));
  }

  private void awaitSettled() throws InterruptedException {
    MirroringTxLog m = mirroring;
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (m.unsettledCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, m.unsettledCount(), "settled once the database answered");
  }
}
