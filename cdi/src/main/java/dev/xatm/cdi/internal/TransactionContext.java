package dev.xatm.cdi.internal;

import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.context.spi.AlterableContext;
import jakarta.enterprise.context.spi.Contextual;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.lang.annotation.Annotation;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The context of {@code @TransactionScoped} (Jakarta Transactions 2.0 §3.7): active while the
 * thread's transaction is in one of the statuses the spec lists (ACTIVE, MARKED_ROLLBACK, PREPARED,
 * UNKNOWN, PREPARING, COMMITTING, ROLLING_BACK); each transaction has its own instances, kept in a
 * {@link TransactionScopeStore} that is a resource of the transaction ({@code
 * TransactionSynchronizationRegistry.putResource}), so suspend and resume carry them with the
 * transaction, and destroyed by an interposed synchronization after completion.
 *
 * <p>The transaction manager is looked up on first use (the context is registered before any bean
 * exists). Thread-safe: threads of one transaction share its store.
 */
public final class TransactionContext implements AlterableContext {
  private final Supplier<TransactionManager> tmLookup;
  private final Supplier<TransactionSynchronizationRegistry> tsrLookup;
  private final ScopeEvents events;
  private final ReentrantLock storeCreation = new ReentrantLock();

  /** This context's key among the transaction's resources (one per container). */
  private final Object storeKey = new Object();

  private volatile TransactionManager tm;
  private volatile TransactionSynchronizationRegistry tsr;

  public TransactionContext(
      Supplier<TransactionManager> tm,
      Supplier<TransactionSynchronizationRegistry> tsr,
      ScopeEvents events) {
    this.tmLookup = tm;
    this.tsrLookup = tsr;
    this.events = events;
  }

  @Override
  public Class<? extends Annotation> getScope() {
    return TransactionScoped.class;
  }

  @Override
  public boolean isActive() {
    int status;
    try {
      status = tm().getStatus();
    } catch (SystemException e) {
      return false;
    }
    return switch (status) {
      case Status.STATUS_ACTIVE,
              Status.STATUS_MARKED_ROLLBACK,
              Status.STATUS_PREPARED,
              Status.STATUS_UNKNOWN,
              Status.STATUS_PREPARING,
              Status.STATUS_COMMITTING,
              Status.STATUS_ROLLING_BACK ->
          true;
      default -> false;
    };
  }

  @Override
  public <T> T get(Contextual<T> contextual, CreationalContext<T> creationalContext) {
    return store(true).get(contextual, creationalContext);
  }

  @Override
  public <T> T get(Contextual<T> contextual) {
    TransactionScopeStore store = store(false);
    return store == null ? null : store.get(contextual, null);
  }

  @Override
  public void destroy(Contextual<?> contextual) {
    TransactionScopeStore store = store(false);
    if (store != null) {
      store.destroy(contextual);
    }
  }

  private TransactionScopeStore store(boolean create) {
    if (!isActive()) {
      throw new ContextNotActiveException(
          "@TransactionScoped: no transaction is active on this thread");
    }
    TransactionSynchronizationRegistry registry = tsr();
    TransactionScopeStore store = (TransactionScopeStore) registry.getResource(storeKey);
    if (store != null || !create) {
      return store;
    }
    storeCreation.lock();
    try {
      store = (TransactionScopeStore) registry.getResource(storeKey);
      if (store == null) {
        Object tx = tm().getTransaction();
        store = new TransactionScopeStore(tx, events);
        try {
          registry.registerInterposedSynchronization(store);
        } catch (IllegalStateException e) {
          // xatm accepts synchronizations until phase 1 starts; an instance first created later
          // could never be destroyed.
          throw new ContextNotActiveException(
              "@TransactionScoped: transaction "
                  + tx
                  + " is completing; a transaction-scoped bean cannot be first used now",
              e);
        }
        registry.putResource(storeKey, store);
        events.initialized(tx);
      }
      return store;
    } catch (SystemException e) {
      throw new ContextNotActiveException("@TransactionScoped: " + e.getMessage(), e);
    } finally {
      storeCreation.unlock();
    }
  }

  private TransactionManager tm() {
    TransactionManager t = tm;
    if (t == null) {
      t = tmLookup.get();
      tm = t;
    }
    return t;
  }

  private TransactionSynchronizationRegistry tsr() {
    TransactionSynchronizationRegistry r = tsr;
    if (r == null) {
      r = tsrLookup.get();
      tsr = r;
    }
    return r;
  }
}
