package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.TestTm;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SynchronizationTest {
  private final TestTm t = new TestTm();
  private final XatmTransactionManager tm = t.tm;
  private final List<String> calls = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    t.close();
  }

  private Synchronization sync(String name) {
    return new Synchronization() {
      @Override
      public void beforeCompletion() {
        calls.add(name + ".before");
      }

      @Override
      public void afterCompletion(int status) {
        calls.add(name + ".after(" + status + ")");
      }
    };
  }

  @Test
  void interposedRunBeforeCompletionLastAndAfterCompletionFirst() throws Exception {
    tm.begin();
    tm.registerInterposedSynchronization(sync("i1"));
    tm.getTransaction().registerSynchronization(sync("r1"));
    tm.registerInterposedSynchronization(sync("i2"));
    tm.getTransaction().registerSynchronization(sync("r2"));
    tm.commit();
    int c = Status.STATUS_COMMITTED;
    assertEquals(
        List.of(
            "r1.before",
            "r2.before",
            "i1.before",
            "i2.before",
            "i1.after(" + c + ")",
            "i2.after(" + c + ")",
            "r1.after(" + c + ")",
            "r2.after(" + c + ")"),
        calls);
  }

  @Test
  void beforeCompletionRunsBeforePrepareAndSeesTheActiveTransaction() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b");
    tm.begin();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().enlistResource(b);
    tm.getTransaction()
        .registerSynchronization(
            new Synchronization() {
              @Override
              public void beforeCompletion() {
                t.journal.add("sync.before status=" + tm.getStatus());
              }

              @Override
              public void afterCompletion(int status) {
                t.journal.add("sync.after");
              }
            });
    tm.commit();
    assertEquals(
        "sync.before status=" + Status.STATUS_ACTIVE,
        t.journal.events().get(t.journal.indexOfPrefix("sync.before")));
    assertEquals(true, t.journal.indexOfPrefix("sync.before") < t.journal.indexOfPrefix("a.end"));
    assertEquals(true, t.journal.indexOfPrefix("sync.after") > t.journal.indexOf("log.End"));
  }

  @Test
  void synchronizationRegisteredDuringBeforeCompletionIsCalled() throws Exception {
    tm.begin();
    tm.getTransaction()
        .registerSynchronization(
            new Synchronization() {
              @Override
              public void beforeCompletion() {
                calls.add("outer.before");
                tm.registerInterposedSynchronization(sync("late"));
              }

              @Override
              public void afterCompletion(int status) {}
            });
    tm.commit();
    assertEquals(
        List.of("outer.before", "late.before", "late.after(" + Status.STATUS_COMMITTED + ")"),
        calls);
  }

  @Test
  void regularSynchronizationRegisteredByAnInterposedOneIsRefused() throws Exception {
    List<Throwable> refused = new ArrayList<>();
    tm.begin();
    tm.getTransaction().registerSynchronization(sync("r1"));
    tm.registerInterposedSynchronization(
        new Synchronization() {
          @Override
          public void beforeCompletion() {
            calls.add("i1.before");
            refused.add(
                assertThrows(
                    IllegalStateException.class,
                    () -> tm.getTransaction().registerSynchronization(sync("r2"))));
          }

          @Override
          public void afterCompletion(int status) {}
        });
    tm.commit();
    assertEquals(1, refused.size());
    assertEquals(
        List.of("r1.before", "i1.before", "r1.after(" + Status.STATUS_COMMITTED + ")"), calls);
  }

  @Test
  void beforeCompletionFailureRollsBackAndStopsFurtherBeforeCompletions() throws Exception {
    FakeXAResource a = t.resource("a");
    FakeXAResource b = t.resource("b");
    tm.begin();
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().enlistResource(b);
    IllegalStateException boom = new IllegalStateException("flush failed");
    tm.getTransaction()
        .registerSynchronization(
            new Synchronization() {
              @Override
              public void beforeCompletion() {
                throw boom;
              }

              @Override
              public void afterCompletion(int status) {
                calls.add("failing.after(" + status + ")");
              }
            });
    tm.getTransaction().registerSynchronization(sync("second"));
    RollbackException e = assertThrows(RollbackException.class, tm::commit);
    assertSame(boom, e.getCause());
    int rb = Status.STATUS_ROLLEDBACK;
    assertEquals(List.of("failing.after(" + rb + ")", "second.after(" + rb + ")"), calls);
    assertEquals(0, t.journal.count("a.prepare"));
    assertEquals(1, t.journal.count("a.rollback"));
    assertEquals(1, t.journal.count("b.rollback"));
  }

  @Test
  void afterCompletionFailureDoesNotChangeTheOutcome() throws Exception {
    tm.begin();
    tm.getTransaction()
        .registerSynchronization(
            new Synchronization() {
              @Override
              public void beforeCompletion() {}

              @Override
              public void afterCompletion(int status) {
                throw new IllegalStateException("ignored");
              }
            });
    tm.getTransaction().registerSynchronization(sync("next"));
    tm.commit();
    assertEquals(List.of("next.before", "next.after(" + Status.STATUS_COMMITTED + ")"), calls);
  }

  @Test
  void rollbackCallsOnlyAfterCompletion() throws Exception {
    tm.begin();
    tm.getTransaction().registerSynchronization(sync("r"));
    tm.rollback();
    assertEquals(List.of("r.after(" + Status.STATUS_ROLLEDBACK + ")"), calls);
  }

  @Test
  void registrationRules() throws Exception {
    assertThrows(
        IllegalStateException.class, () -> tm.registerInterposedSynchronization(sync("x")));
    tm.begin();
    var tx = tm.getTransaction();
    tm.setRollbackOnly();
    assertThrows(RollbackException.class, () -> tx.registerSynchronization(sync("x")));
    tm.rollback();
    assertThrows(IllegalStateException.class, () -> tx.registerSynchronization(sync("y")));
  }
}
