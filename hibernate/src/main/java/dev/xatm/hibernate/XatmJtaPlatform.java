package dev.xatm.hibernate;

import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.spi.XatmRuntime;
import dev.xatm.tm.spi.XatmRuntimes;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.util.Objects;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;

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
 * <p>Synchronizations are registered as interposed ones through the {@code
 * TransactionSynchronizationRegistry}, as the JTA spec intends for a persistence provider: they run
 * after the application's and before the resources are prepared.
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

  /** Exactly this manager. */
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
    TransactionSynchronizationRegistry registry = manager();
    registry.registerInterposedSynchronization(synchronization);
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
