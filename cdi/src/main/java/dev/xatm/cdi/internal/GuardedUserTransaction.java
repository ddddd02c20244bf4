package dev.xatm.cdi.internal;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import jakarta.transaction.UserTransaction;
import java.util.Objects;

/**
 * The {@code UserTransaction} bean: the transaction manager's own {@code UserTransaction}, refused
 * inside {@code @Transactional} methods ({@link UserTransactionGate}).
 *
 * <p>Thread-safe (stateless; the gate's state is per thread).
 */
final class GuardedUserTransaction implements UserTransaction {
  private final UserTransaction delegate;
  private final UserTransactionGate gate;

  GuardedUserTransaction(UserTransaction delegate, UserTransactionGate gate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.gate = Objects.requireNonNull(gate, "gate");
  }

  @Override
  public void begin() throws NotSupportedException, SystemException {
    gate.check("begin");
    delegate.begin();
  }

  @Override
  public void commit()
      throws RollbackException,
          HeuristicMixedException,
          HeuristicRollbackException,
          SecurityException,
          IllegalStateException,
          SystemException {
    gate.check("commit");
    delegate.commit();
  }

  @Override
  public void rollback() throws IllegalStateException, SecurityException, SystemException {
    gate.check("rollback");
    delegate.rollback();
  }

  @Override
  public void setRollbackOnly() throws IllegalStateException, SystemException {
    gate.check("setRollbackOnly");
    delegate.setRollbackOnly();
  }

  @Override
  public int getStatus() throws SystemException {
    gate.check("getStatus");
    return delegate.getStatus();
  }

  @Override
  public void setTransactionTimeout(int seconds) throws SystemException {
    gate.check("setTransactionTimeout");
    delegate.setTransactionTimeout(seconds);
  }

  @Override
  public String toString() {
    return "UserTransaction[" + delegate + "]";
  }
}
