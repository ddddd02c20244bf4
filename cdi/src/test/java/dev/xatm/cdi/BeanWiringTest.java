package dev.xatm.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.cdi.beans.ClosesLast;
import dev.xatm.cdi.beans.OwnManager;
import dev.xatm.cdi.beans.TxTypes;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.util.List;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/** Which transaction manager the beans are, when it starts, and when it closes. */
class BeanWiringTest {
  @Test
  void withoutAnXatmConfigBeanTheManagerIsStartedFromXatmConfigLoad() {
    try (WeldContainer cdi = Containers.bootWithoutConfig(TxTypes.class)) {
      XatmTransactionManager xatm = cdi.select(XatmTransactionManager.class).get();
      assertEquals("cdi-default", xatm.nodeId(), "from src/test/resources/xatm.properties");
      assertEquals(XatmConfig.load().logDir(), xatm.config().logDir());
    }
  }

  @Test
  void theStandardBeansAreThatManagerAndTheUserTransactionIsGuarded() throws Exception {
    try (WeldContainer cdi = Containers.boot(TxTypes.class)) {
      XatmTransactionManager xatm = cdi.select(XatmTransactionManager.class).get();
      assertEquals("cdi-test", xatm.nodeId(), "the application's XatmConfig bean");
      TransactionManager tm = cdi.select(TransactionManager.class).get();
      TransactionSynchronizationRegistry tsr =
          cdi.select(TransactionSynchronizationRegistry.class).get();
      UserTransaction ut = cdi.select(UserTransaction.class).get();
      ut.begin();
      assertSame(xatm.getTransaction(), tm.getTransaction());
      assertEquals(xatm.getTransactionKey(), tsr.getTransactionKey());
      ut.rollback();
      assertThrows(
          IllegalStateException.class,
          () -> cdi.select(TxTypes.class).get().required(ut::getStatus));
    }
  }

  @Test
  void anApplicationsOwnManagerIsUsedAndTheExtensionStartsNone() throws Exception {
    OwnManager.DISPOSED.clear();
    XatmTransactionManager own;
    try (WeldContainer cdi = Containers.bootWithoutConfig(OwnManager.class, TxTypes.class)) {
      own = cdi.select(XatmTransactionManager.class).get();
      assertEquals("cdi-own", own.nodeId());
      TransactionManager tm = cdi.select(TransactionManager.class).get();
      int inside =
          cdi.select(TxTypes.class)
              .get()
              .required(() -> own.getTransaction() == tm.getTransaction() ? 1 : 0);
      assertEquals(1, inside, "the interceptors use the application's manager");
      UserTransaction ut = cdi.select(UserTransaction.class).get();
      assertNotSame(own, ut, "the UserTransaction bean is the guarded one, not the manager");
      assertEquals(Status.STATUS_NO_TRANSACTION, ut.getStatus());
    }
    assertEquals(List.of(own), OwnManager.DISPOSED, "the application's disposer closes it");
  }

  @Test
  void theManagerStartsWithTheContainerAndAFailedStartFailsTheDeployment() {
    try (WeldContainer first = Containers.bootWithoutConfig(TxTypes.class)) {
      // The same log directory (xatm.properties) is locked by the running manager.
      RuntimeException e =
          assertThrows(RuntimeException.class, () -> Containers.bootWithoutConfig(TxTypes.class));
      assertTrue(
          String.valueOf(e.getMessage()).contains("target/cdi-default-log is in use"),
          () -> "the deployment fails with the start's message: " + e);
      assertInstanceOf(
          XatmTransactionManager.class, first.select(XatmTransactionManager.class).get());
    }
  }

  @Test
  void theManagerClosesAfterTheApplicationsBeansAreDestroyed() {
    ClosesLast.AT_DESTROY.clear();
    WeldContainer cdi = Containers.boot(ClosesLast.class);
    cdi.select(ClosesLast.class).get().touch();
    cdi.close();
    assertEquals(List.of("tm usable"), ClosesLast.AT_DESTROY);
  }
}
