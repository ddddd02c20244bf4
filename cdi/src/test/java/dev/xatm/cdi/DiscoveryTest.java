package dev.xatm.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.xatm.cdi.beans.TxTypes;
import dev.xatm.tm.XatmTransactionManager;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import java.util.UUID;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.Test;

/**
 * Weld SE as an application boots it: discovery on, nothing named, the extension found through its
 * {@code META-INF/services} entry. The test classes are a bean archive, so the application's own
 * manager ({@code OwnManager}) is the one in use.
 */
class DiscoveryTest {
  @Test
  void theExtensionIsDiscoveredAndItsBeansAndInterceptorsWork() throws Exception {
    try (WeldContainer cdi = new Weld("xatm-cdi-discovery-" + UUID.randomUUID()).initialize()) {
      XatmTransactionManager xatm = cdi.select(XatmTransactionManager.class).get();
      assertEquals("cdi-default", xatm.nodeId(), "src/test/resources/xatm.properties");
      TransactionManager tm = cdi.select(TransactionManager.class).get();
      TxTypes types = cdi.select(TxTypes.class).get();
      assertEquals(Status.STATUS_ACTIVE, (int) types.required(tm::getStatus));
      UserTransaction ut = cdi.select(UserTransaction.class).get();
      assertThrows(IllegalStateException.class, () -> types.required(ut::getStatus));
    }
  }
}
