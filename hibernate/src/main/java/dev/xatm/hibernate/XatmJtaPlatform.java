package dev.xatm.hibernate;

import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.spi.XatmRuntime;
import dev.xatm.tm.spi.XatmRuntimes;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import java.util.Objects;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatformException;

/**
 * Hibernate ORM's view of the xatm transaction manager (docs/hibernate.md). The SPI is the same in
 * Hibernate 6.6 and 7, so one jar serves both.
 *
 * <ul>
 *   <li>{@code new XatmJtaPlatform()} (what {@link XatmJtaPlatformProvider} gives Hibernate when no
 *       {@code hibernate.transaction.jta.platform} is set, and what the class name in that property
 *       gives): the JVM's default xatm runtime, the manager started with {@code
 *       xatm.runtime.install-default=true} (the default), looked up at each use, so the persistence
 *       unit may be built before or after the manager starts;
 *   <li>{@code new XatmJtaPlatform(tm)} passed as the value of {@code
 *       hibernate.transaction.jta.platform}: exactly that manager.
 * </ul>
 *
 * <p>Hibernate's synchronization (its flush before completion) is registered as an interposed one
 * through the manager's {@code TransactionSynchronizationRegistry}, as on Jakarta EE servers: the
 * TSR runs interposed {@code beforeCompletion} callbacks after every regular one, so an
 * application's synchronization that changes entities runs before the flush, whenever it was
 * registered. A connection first used in that flush still enlists: the {@code jdbc:xa:} driver
 * registers its own synchronization as interposed too (xatm refuses only regular ones once the
 * interposed ones run). The Spring Boot starter uses this class for the persistence units it makes
 * JTA units, so there is one xatm platform.
 *
 * <p>Thread-safe (immutable; the manager binds transactions to threads).
 */
public final class XatmJtaPlatform implements JtaPlatform {
  private static final long serialVersionUID = 1L;

  /**
   * The manager given to the constructor, or null for the JVM default. Transient: a manager is not
   * serializable, and Hibernate's services are {@code Serializable}; a deserialized platform uses
   * the JVM default.
   */
  private final transient XatmTransactionManager explicit;

  /** The JVM's default xatm runtime, looked up at each use. */
  public XatmJtaPlatform() {
    this.explicit = null;
  }

  /**
   * Uses exactly this manager.
   *
   * @param tm the manager; not {@code null}
   */
  public XatmJtaPlatform(XatmTransactionManager tm) {
    this.explicit = Objects.requireNonNull(tm, "tm");
  }

  private XatmTransactionManager manager() {
    return explicit != null ? explicit : jvmDefault();
  }

  private static XatmTransactionManager jvmDefault() {
    XatmRuntime runtime =
        XatmRuntimes.current()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Hibernate needs the xatm transaction manager, but none is running as this"
                            + " JVM's default: start one with XatmTransactionManager.start(..)"
                            + " (xatm.runtime.install-default=true), or set"
                            + " hibernate.transaction.jta.platform to new XatmJtaPlatform(tm)"));
    if (runtime instanceof XatmTransactionManager tm) {
      return tm;
    }
    throw new IllegalStateException(
        "the JVM's default xatm runtime is not an XatmTransactionManager: " + runtime);
  }

  @Override
  public TransactionManager retrieveTransactionManager() {
    return manager();
  }

  @Override
  public UserTransaction retrieveUserTransaction() {
    return manager();
  }

  /** The transaction object itself: xatm keeps one object per transaction for its whole life. */
  @Override
  public Object getTransactionIdentifier(Transaction transaction) {
    return transaction;
  }

  @Override
  public boolean canRegisterSynchronization() {
    return manager().getStatus() == Status.STATUS_ACTIVE;
  }

  @Override
  public void registerSynchronization(Synchronization synchronization) {
    XatmTransactionManager m = manager();
    Transaction tx = m.getTransaction();
    if (tx == null) {
      throw new JtaPlatformException("no JTA transaction is active to register Hibernate with");
    }
    try {
      m.registerInterposedSynchronization(synchronization); // the thread's transaction: tx
    } catch (IllegalStateException e) {
      throw new JtaPlatformException(
          "could not register Hibernate's synchronization with " + tx + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int getCurrentStatus() throws SystemException {
    return manager().getStatus();
  }

  @Override
  public String toString() {
    return "XatmJtaPlatform";
  }
}
