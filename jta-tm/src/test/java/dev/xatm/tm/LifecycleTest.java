package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.internal.TxState;
import dev.xatm.tm.internal.TxStateMachine;
import dev.xatm.tm.internal.TxTransition;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.spi.XatmRuntimes;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleTest {
  private final TestTm t = new TestTm();
  private final XatmTransactionManager tm = t.tm;

  @AfterEach
  void close() throws Exception {
    t.close();
  }

  @Test
  void oneObjectIsAllThreeJtaInterfaces() {
    Object o = tm;
    assertTrue(o instanceof TransactionManager);
    assertTrue(o instanceof UserTransaction);
    assertTrue(o instanceof TransactionSynchronizationRegistry);
  }

  @Test
  void statusThroughALifetime() throws Exception {
    List<Integer> seen = new ArrayList<>();
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
    tm.begin();
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus());
    assertEquals(Status.STATUS_ACTIVE, tm.getTransactionStatus());
    var tx = tm.getTransaction();
    tx.registerSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {}

          @Override
          public void afterCompletion(int status) {
            try {
              seen.add(tx.getStatus());
            } catch (jakarta.transaction.SystemException e) {
              throw new IllegalStateException(e);
            }
          }
        });
    tm.commit();
    assertEquals(List.of(Status.STATUS_COMMITTED), seen);
    assertEquals(Status.STATUS_COMMITTED, tx.getStatus());
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
  }

  @Test
  void misuseGetsTheSpecExceptions() throws Exception {
    assertThrows(IllegalStateException.class, tm::commit);
    assertThrows(IllegalStateException.class, tm::rollback);
    assertThrows(IllegalStateException.class, tm::setRollbackOnly);
    assertThrows(IllegalStateException.class, tm::getRollbackOnly);
    assertThrows(IllegalStateException.class, () -> tm.putResource("k", "v"));
    assertNull(tm.getTransactionKey());
    tm.begin();
    assertThrows(NotSupportedException.class, tm::begin);
    var tx = tm.getTransaction();
    tm.commit();
    assertThrows(IllegalStateException.class, tx::commit);
    assertThrows(IllegalStateException.class, tx::setRollbackOnly);
  }

  @Test
  void rollbackOnlyMakesCommitRollBack() throws Exception {
    tm.begin();
    tm.setRollbackOnly();
    assertTrue(tm.getRollbackOnly());
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus());
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertTrue(e.getMessage().contains("rollback-only"), e.getMessage());
    assertEquals(Status.STATUS_NO_TRANSACTION, tm.getStatus());
  }

  @Test
  void resourcesAndKeysArePerTransaction() throws Exception {
    tm.begin();
    Object k1 = tm.getTransactionKey();
    tm.putResource("k", "v1");
    assertEquals("v1", tm.getResource("k"));
    assertThrows(NullPointerException.class, () -> tm.putResource(null, "x"));
    var tx = tm.suspend();
    tm.begin();
    assertNull(tm.getResource("k"));
    assertNotEquals(k1, tm.getTransactionKey());
    tm.commit();
    tm.resume(tx);
    assertEquals(k1, tm.getTransactionKey());
    assertEquals("v1", tm.getResource("k"));
    tm.rollback();
  }

  @Test
  void gtridsCarryNodeEpochAndSequence() throws Exception {
    tm.begin();
    Gtrid g1 = (Gtrid) tm.getTransactionKey();
    tm.commit();
    tm.begin();
    Gtrid g2 = (Gtrid) tm.getTransactionKey();
    tm.rollback();
    assertEquals("test-node", g1.nodeId());
    assertEquals(tm.epoch(), g1.epoch());
    assertEquals(g1.sequence() + 1, g2.sequence());
  }

  @Test
  void everyStartWritesAHigherEpoch() throws Exception {
    assertEquals(1, tm.epoch());
    tm.close();
    t.log.reopen();
    try (XatmTransactionManager again =
        XatmTransactionManager.builder(XatmConfig.builder().nodeId("test-node").build())
            .txLog(t.log)
            .installAsDefault(false)
            .start()) {
      assertEquals(2, again.epoch());
      assertEquals(1, again.startupLogState().epoch());
    }
    assertEquals(
        2, t.log.records().stream().filter(r -> r instanceof TxRecord.EpochStarted).count());
  }

  @Test
  void installsItselfAsTheJvmRuntimeUnlessToldNot() throws Exception {
    assertTrue(XatmRuntimes.current().isEmpty() || XatmRuntimes.current().get() != tm);
    var log = new dev.xatm.tm.log.InMemoryTxLog("n2");
    XatmTransactionManager installed =
        XatmTransactionManager.builder(XatmConfig.builder().build()).txLog(log).start();
    try {
      assertEquals(installed, XatmRuntimes.current().orElseThrow());
      assertEquals(installed, installed.transactionManager());
    } finally {
      installed.close();
    }
    assertTrue(XatmRuntimes.current().isEmpty());
  }

  @Test
  void stateMachineRejectsIllegalMoves() {
    TxStateMachine m = new TxStateMachine("x");
    assertThrows(IllegalStateException.class, () -> m.apply(TxTransition.DECIDE_COMMIT));
    m.apply(TxTransition.START_PREPARE);
    assertThrows(IllegalStateException.class, () -> m.apply(TxTransition.MARK_ROLLBACK_ONLY));
    assertThrows(IllegalStateException.class, () -> m.apply(TxTransition.FINISH_COMMIT));
    m.apply(TxTransition.DECIDE_COMMIT);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> m.apply(TxTransition.START_ROLLBACK));
    assertTrue(e.getMessage().contains("START_ROLLBACK") && e.getMessage().contains("COMMITTING"));
    m.apply(TxTransition.FINISH_COMMIT);
    assertEquals(TxState.COMMITTED, m.state());
    for (TxTransition tr : TxTransition.values()) {
      assertTrue(!m.tryApply(tr), "no move out of COMMITTED: " + tr);
    }
  }

  @Test
  void configuredNodeIdMustMatchTheLog() {
    var log = new dev.xatm.tm.log.InMemoryTxLog("node-a");
    XatmStartupException e =
        assertThrows(
            XatmStartupException.class,
            () ->
                XatmTransactionManager.builder(XatmConfig.builder().nodeId("node-b").build())
                    .txLog(log)
                    .installAsDefault(false)
                    .start());
    assertTrue(
        e.getMessage().contains("node-a") && e.getMessage().contains("node-b"), e.getMessage());
  }
}
