package dev.xatm.cdi.internal;

import dev.xatm.tm.XatmTransactionManager;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;

/**
 * Produces the three standard beans from the one {@link XatmTransactionManager} bean (the
 * extension's, or the application's): {@code TransactionManager} and {@code
 * TransactionSynchronizationRegistry} are the manager itself; {@code UserTransaction} is guarded
 * ({@link GuardedUserTransaction}). Application scoped, so each is a serializable client proxy that
 * passivating beans ({@code @TransactionScoped}, {@code @SessionScoped}) may hold.
 *
 * <p>Thread-safe.
 */
@ApplicationScoped
public class TransactionBeans {
  @Inject XatmTransactionManager tm;
  @Inject UserTransactionGate gate;

  @Produces
  @ApplicationScoped
  @Typed(TransactionManager.class)
  TransactionManager transactionManager() {
    return tm;
  }

  @Produces
  @ApplicationScoped
  @Typed(TransactionSynchronizationRegistry.class)
  TransactionSynchronizationRegistry transactionSynchronizationRegistry() {
    return tm;
  }

  @Produces
  @ApplicationScoped
  @Typed(UserTransaction.class)
  UserTransaction userTransaction() {
    return new GuardedUserTransaction(tm, gate);
  }
}
