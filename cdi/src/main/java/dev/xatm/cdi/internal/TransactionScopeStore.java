package dev.xatm.cdi.internal;

import jakarta.enterprise.context.spi.Contextual;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.spi.PassivationCapable;
import jakarta.transaction.Synchronization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@code @TransactionScoped} instances of one transaction, and the interposed synchronization
 * that destroys them after it completes (on whichever thread completes it: the owner's, or the
 * reaper's after a timeout).
 *
 * <p>Thread-safe: one lock guards the map; creation runs under it, so two threads of one
 * transaction get the same instance. Instances are destroyed in reverse creation order, outside the
 * lock.
 */
final class TransactionScopeStore implements Synchronization {
  private final Object transaction;
  private final ScopeEvents events;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<Object, Entry<?>> instances = new LinkedHashMap<>();
  private boolean destroyed;

  TransactionScopeStore(Object transaction, ScopeEvents events) {
    this.transaction = transaction;
    this.events = events;
  }

  private record Entry<T>(Contextual<T> contextual, T instance, CreationalContext<T> cc) {
    void destroy() {
      contextual.destroy(instance, cc);
    }
  }

  @SuppressWarnings("unchecked")
  <T> T get(Contextual<T> contextual, CreationalContext<T> cc) {
    Object key = key(contextual);
    lock.lock();
    try {
      Entry<?> e = instances.get(key);
      if (e != null) {
        return (T) e.instance();
      }
      if (cc == null || destroyed) {
        return null;
      }
      T created = contextual.create(cc);
      instances.put(key, new Entry<>(contextual, created, cc));
      return created;
    } finally {
      lock.unlock();
    }
  }

  void destroy(Contextual<?> contextual) {
    Entry<?> e;
    lock.lock();
    try {
      e = instances.remove(key(contextual));
    } finally {
      lock.unlock();
    }
    if (e != null) {
      e.destroy();
    }
  }

  @Override
  public void beforeCompletion() {}

  @Override
  public void afterCompletion(int status) {
    List<Entry<?>> all;
    lock.lock();
    try {
      destroyed = true;
      all = new ArrayList<>(instances.values());
      instances.clear();
    } finally {
      lock.unlock();
    }
    events.beforeDestroyed(transaction);
    RuntimeException first = null;
    for (int i = all.size() - 1; i >= 0; i--) {
      try {
        all.get(i).destroy();
      } catch (RuntimeException e) { // one failing @PreDestroy must not keep the others alive
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    events.destroyed(transaction);
    if (first != null) {
      throw first;
    }
  }

  private static Object key(Contextual<?> contextual) {
    return contextual instanceof PassivationCapable p ? p.getId() : contextual;
  }
}
