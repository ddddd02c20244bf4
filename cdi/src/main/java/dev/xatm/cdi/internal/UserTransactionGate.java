package dev.xatm.cdi.internal;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional.TxType;

/**
 * Which {@code @Transactional} method, if any, the current thread is inside: the interceptors
 * {@link #enter} and {@link #restore} around every intercepted call, and the {@code
 * UserTransaction} bean asks {@link #check} before each call.
 *
 * <p>Jakarta Transactions 2.0 §3.7: "If an attempt is made to call any method of the
 * UserTransaction interface from within the scope of a bean or method annotated with
 * {@code @Transactional} and a {@code Transactional.TxType} other than {@code NOT_SUPPORTED} or
 * {@code NEVER}, an {@code IllegalStateException} must be thrown." {@code SUPPORTS} is refused
 * whether or not a transaction is active, as the text says.
 *
 * <p>Thread-confined state (one value per thread and container); the bean itself is shared.
 */
@ApplicationScoped
public class UserTransactionGate {
  private final ThreadLocal<TxType> innermost = new ThreadLocal<>();

  /** Marks the thread as inside a method of {@code type}; returns what to {@link #restore}. */
  TxType enter(TxType type) {
    TxType previous = innermost.get();
    innermost.set(type);
    return previous;
  }

  void restore(TxType previous) {
    if (previous == null) {
      innermost.remove();
    } else {
      innermost.set(previous);
    }
  }

  /**
   * @throws IllegalStateException inside a {@code @Transactional} method whose type is neither
   *     {@code NOT_SUPPORTED} nor {@code NEVER}
   */
  public void check(String method) {
    TxType type = innermost.get();
    if (type != null && type != TxType.NOT_SUPPORTED && type != TxType.NEVER) {
      throw new IllegalStateException(
          "UserTransaction."
              + method
              + " is not allowed inside a @Transactional("
              + type
              + ") method (Jakarta Transactions 2.0 section 3.7): the interceptor demarcates"
              + " the transaction; use TxType.NOT_SUPPORTED or NEVER for bean-managed"
              + " demarcation, or TransactionSynchronizationRegistry.setRollbackOnly()");
    }
  }
}
