package dev.xatm.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.cdi.beans.ScopeEventLog;
import dev.xatm.cdi.beans.TxScopedCounter;
import dev.xatm.cdi.beans.TxScopedNote;
import dev.xatm.cdi.beans.TxTypes;
import dev.xatm.tm.XatmTransactionManager;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * @TransactionScoped per Jakarta Transactions 2.0 section 3.7 (including the spec's example).
 */
class TransactionScopedTest {
  private static WeldContainer cdi;
  private static UserTransaction ut;
  private static TransactionManager tm;
  private static TxScopedCounter bean;
  private static ScopeEventLog log;
  private static TxTypes types;

  @BeforeAll
  static void boot() {
    cdi =
        Containers.boot(
            TxScopedCounter.class, TxScopedNote.class, ScopeEventLog.class, TxTypes.class);
    ut = cdi.select(UserTransaction.class).get();
    tm = cdi.select(TransactionManager.class).get();
    bean = cdi.select(TxScopedCounter.class).get();
    log = cdi.select(ScopeEventLog.class).get();
    types = cdi.select(TxTypes.class).get();
  }

  @AfterAll
  static void shutdown() {
    cdi.close();
  }

  @BeforeEach
  void clear() {
    TxScopedCounter.DESTROYED.clear();
    log.events().clear();
  }

  @AfterEach
  void noTransactionLeft() throws Exception {
    if (tm.getTransaction() != null) {
      tm.rollback();
      throw new AssertionError("a transaction was left on the thread");
    }
  }

  @Test
  void outsideATransactionTheContextIsNotActive() {
    assertThrows(ContextNotActiveException.class, bean::increment);
  }

  @Test
  void oneInstancePerTransactionDestroyedAfterCommitAndAfterRollback() throws Exception {
    ut.begin();
    int first = bean.id();
    assertEquals(1, bean.increment());
    assertEquals(2, bean.increment());
    ut.commit();
    assertEquals(List.of(first), TxScopedCounter.DESTROYED);
    assertThrows(ContextNotActiveException.class, bean::increment);

    ut.begin();
    int second = bean.id();
    assertNotEquals(first, second);
    assertEquals(1, bean.increment(), "a new transaction gets a new instance");
    ut.rollback();
    assertEquals(List.of(first, second), TxScopedCounter.DESTROYED);
  }

  /** The example of section 3.7: the instance follows its transaction through suspend/resume. */
  @Test
  void theInstanceFollowsItsTransactionThroughSuspendAndResume() throws Exception {
    ut.begin();
    int tx1Bean = bean.id();
    Transaction tx1 = tm.suspend();
    ut.begin();
    int tx2Bean = bean.id();
    assertNotEquals(tx1Bean, tx2Bean);
    ut.commit();
    assertEquals(List.of(tx2Bean), TxScopedCounter.DESTROYED);
    assertThrows(ContextNotActiveException.class, bean::id);
    tm.resume(tx1);
    assertEquals(tx1Bean, bean.id());
    ut.commit();
    assertEquals(List.of(tx2Bean, tx1Bean), TxScopedCounter.DESTROYED);
    assertThrows(ContextNotActiveException.class, bean::id);
  }

  @Test
  void threadsOfOneTransactionShareItsInstance() throws Exception {
    ut.begin();
    Transaction tx = tm.getTransaction();
    int id = bean.id();
    bean.increment();
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      int seen =
          other
              .submit(
                  () -> {
                    tm.resume(tx);
                    try {
                      return bean.increment();
                    } finally {
                      tm.suspend();
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      assertEquals(2, seen);
    } finally {
      other.shutdown();
    }
    assertEquals(id, bean.id());
    ut.commit();
  }

  @Test
  void aTransactionScopedBeanMayHaveTransactionalMethods() throws Exception {
    ut.begin();
    assertEquals(1, bean.incrementInTransaction());
    assertEquals(2, bean.incrementInTransaction());
    ut.commit();
  }

  /**
   * Registers a synchronization whose beforeCompletion runs {@code action}, recording the result.
   */
  private static List<Object> beforeCompletion(java.util.concurrent.Callable<Object> action)
      throws Exception {
    List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    tm.getTransaction()
        .registerSynchronization(
            new jakarta.transaction.Synchronization() {
              @Override
              public void beforeCompletion() {
                try {
                  seen.add(action.call());
                } catch (Exception e) {
                  seen.add(e.getClass());
                }
              }

              @Override
              public void afterCompletion(int status) {}
            });
    return seen;
  }

  /** Section 3.7: the association is retained through Synchronization.beforeCompletion. */
  @Test
  void beansInUseStayUsableInBeforeCompletion() throws Exception {
    TxScopedNote.DESTROYED.clear();
    TxScopedNote note = cdi.select(TxScopedNote.class).get();
    ut.begin();
    int id = bean.id();
    List<Object> seen = beforeCompletion(() -> bean.id() + note.append("-late"));
    ut.commit();
    assertEquals(List.of(id + "-late"), seen);
    assertEquals(List.of(id), TxScopedCounter.DESTROYED);
    assertEquals(List.of("-late"), TxScopedNote.DESTROYED);
  }

  @Test
  void aTransactionFirstUsingTheScopeInBeforeCompletionStillDestroysItsInstances()
      throws Exception {
    TxScopedNote.DESTROYED.clear();
    TxScopedNote note = cdi.select(TxScopedNote.class).get();
    ut.begin();
    List<Object> seen = beforeCompletion(() -> note.append("first"));
    ut.commit();
    assertEquals(List.of("first"), seen);
    assertEquals(List.of("first"), TxScopedNote.DESTROYED);
  }

  @Test
  void requiresNewGetsItsOwnInstance() throws Exception {
    ut.begin();
    int outer = bean.id();
    int inner = types.requiresNew(bean::id);
    assertNotEquals(outer, inner);
    assertEquals(List.of(inner), TxScopedCounter.DESTROYED);
    assertEquals(outer, bean.id());
    ut.commit();
  }

  @Test
  void initializedAndDestroyedEventsCarryTheTransaction() throws Exception {
    ut.begin();
    Transaction tx = tm.getTransaction();
    bean.increment();
    bean.increment();
    ut.commit();
    assertEquals(
        List.of(
            Map.entry("initialized", tx),
            Map.entry("beforeDestroyed", tx),
            Map.entry("destroyed", tx)),
        log.events());
  }

  @Test
  void aTransactionThatNeverUsesTheScopeFiresNothing() throws Exception {
    ut.begin();
    ut.commit();
    assertTrue(log.events().isEmpty(), log.events().toString());
  }

  @Test
  void aTimedOutTransactionDestroysItsInstancesWhenTheReaperRollsItBack() throws Exception {
    XatmTransactionManager xatm = cdi.select(XatmTransactionManager.class).get();
    ut.setTransactionTimeout(1);
    try {
      ut.begin();
    } finally {
      ut.setTransactionTimeout(0);
    }
    int id = bean.id();
    Transaction tx = tm.suspend(); // nothing associated: the reaper may roll it back at once
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (TxScopedCounter.DESTROYED.isEmpty() && System.nanoTime() < deadline) {
      xatm.reapExpiredNow();
      Thread.sleep(20);
    }
    assertEquals(List.of(id), TxScopedCounter.DESTROYED);
    tm.resume(tx);
    tm.rollback();
  }
}
