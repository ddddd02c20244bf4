package dev.xatm.cdi.internal;

/**
 * Fires {@code @Initialized}, {@code @BeforeDestroyed} and {@code @Destroyed} {@code
 * (TransactionScoped.class)} with the transaction as payload.
 */
public interface ScopeEvents {
  void initialized(Object transaction);

  void beforeDestroyed(Object transaction);

  void destroyed(Object transaction);
}
