package dev.xatm.cdi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.cdi.beans.TxTypes;
import jakarta.transaction.Status;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional.TxType;
import jakarta.transaction.UserTransaction;
import java.util.List;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Jakarta Transactions 2.0 section 3.7: any UserTransaction method inside a @Transactional method
 * whose type is not NOT_SUPPORTED or NEVER throws IllegalStateException; the registry stays usable.
 */
class UserTransactionRefusalTest {
  private static WeldContainer cdi;
  private static UserTransaction ut;
  private static TransactionManager tm;
  private static TransactionSynchronizationRegistry tsr;
  private static TxTypes types;

  @BeforeAll
  static void boot() {
    cdi = Containers.boot(TxTypes.class);
    ut = cdi.select(UserTransaction.class).get();
    tm = cdi.select(TransactionManager.class).get();
    tsr = cdi.select(TransactionSynchronizationRegistry.class).get();
    types = cdi.select(TxTypes.class).get();
  }

  @AfterAll
  static void shutdown() {
    cdi.close();
  }

  @AfterEach
  void noTransactionLeft() throws Exception {
    if (tm.getTransaction() != null) {
      tm.rollback();
      throw new AssertionError("a transaction was left on the thread");
    }
  }

  private interface UtCall {
    void run(UserTransaction ut) throws Exception;
  }

  private static final List<UtCall> EVERY_METHOD =
      List.of(
          UserTransaction::begin,
          UserTransaction::commit,
          UserTransaction::rollback,
          UserTransaction::setRollbackOnly,
          UserTransaction::getStatus,
          u -> u.setTransactionTimeout(5));

  @ParameterizedTest
  @EnumSource(
      value = TxType.class,
      names = {"REQUIRED", "REQUIRES_NEW", "SUPPORTS"})
  void everyMethodIsRefusedInside(TxType type) throws Exception {
    int refused =
        TxTypes.call(
            types,
            type,
            () -> {
              int n = 0;
              for (UtCall call : EVERY_METHOD) {
                IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> call.run(ut));
                assertTrue(e.getMessage().contains(type.name()), e.getMessage());
                n++;
              }
              return n;
            });
    assertEquals(EVERY_METHOD.size(), refused);
  }

  @Test
  void mandatoryRefusesToo() throws Exception {
    tm.begin();
    assertThrows(IllegalStateException.class, () -> types.mandatory(ut::getStatus));
    // The IllegalStateException left a @Transactional method: a RuntimeException marks it.
    assertEquals(Status.STATUS_MARKED_ROLLBACK, tm.getStatus());
    tm.rollback();
  }

  @Test
  void theRegistryIsAllowedInside() throws Exception {
    int status = types.required(tsr::getTransactionStatus);
    assertEquals(Status.STATUS_ACTIVE, status);
    Object key = new Object();
    assertEquals(
        "v",
        types.required(
            () -> {
              tsr.putResource(key, "v");
              return tsr.getResource(key);
            }));
  }

  @ParameterizedTest
  @EnumSource(
      value = TxType.class,
      names = {"NOT_SUPPORTED", "NEVER"})
  void beanManagedDemarcationWorksInside(TxType type) throws Exception {
    int inner =
        TxTypes.call(
            types,
            type,
            () -> {
              ut.begin();
              int s = ut.getStatus();
              ut.commit();
              return s;
            });
    assertEquals(Status.STATUS_ACTIVE, inner);
  }

  @Test
  void theRefusalFollowsTheInnermostMethodAndEndsWithIt() throws Exception {
    types.required(
        () -> {
          int inNotSupported = types.notSupported(ut::getStatus);
          assertEquals(Status.STATUS_NO_TRANSACTION, inNotSupported);
          assertThrows(IllegalStateException.class, ut::getStatus, "refused again after");
          return null;
        });
    assertEquals(Status.STATUS_NO_TRANSACTION, ut.getStatus(), "allowed outside");
    ut.begin();
    ut.rollback();
  }

  @Test
  void theRefusalEndsWhenTheMethodThrows() {
    assertThrows(
        IllegalStateException.class,
        () ->
            types.required(
                () -> {
                  throw new IllegalStateException("boom");
                }));
    assertThrows(
        IllegalStateException.class, () -> types.required(ut::getStatus), "still refused inside");
    assertTrue(assertDoesNotThrowStatus());
  }

  private static boolean assertDoesNotThrowStatus() {
    try {
      return ut.getStatus() == Status.STATUS_NO_TRANSACTION;
    } catch (Exception e) {
      throw new AssertionError("UserTransaction refused outside any @Transactional method", e);
    }
  }
}
