package dev.xatm.spring.boot.jpa;

import dev.xatm.tm.XatmTransactionManager;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import java.util.Objects;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;

/**
 * Hibernate's view of the xatm transaction manager (Hibernate 6 and 7 have the same SPI): the TM,
 * the UserTransaction, and interposed synchronizations through the TSR, so Hibernate flushes before
 * the two-phase commit begins. Set as {@code hibernate.transaction.jta.platform} on persistence
 * units over xatm DataSources that do not have a platform already (Boot sets its own {@code
 * SpringJtaPlatform} on the units it builds, which works the same).
 *
 * <p>Stateless beyond the TM; thread-safe.
 */
public final class XatmJtaPlatform implements JtaPlatform {
  private static final long serialVersionUID = 1L;

  private final transient XatmTransactionManager tm;

  /**
   * Creates the platform.
   *
   * @param tm the transaction manager; not {@code null}
   */
  public XatmJtaPlatform(XatmTransactionManager tm) {
    this.tm = Objects.requireNonNull(tm, "tm");
  }

  @Override
  public TransactionManager retrieveTransactionManager() {
    return tm;
  }

  @Override
  public UserTransaction retrieveUserTransaction() {
    return tm;
  }

  @Override
  public Object getTransactionIdentifier(Transaction transaction) {
    return transaction;
  }

  @Override
  public boolean canRegisterSynchronization() {
    return tm.getTransactionStatus() == jakarta.transaction.Status.STATUS_ACTIVE;
  }

  @Override
  public void registerSynchronization(Synchronization synchronization) {
    tm.registerInterposedSynchronization(synchronization);
  }

  @Override
  public int getCurrentStatus() throws SystemException {
    return tm.getStatus();
  }
}
