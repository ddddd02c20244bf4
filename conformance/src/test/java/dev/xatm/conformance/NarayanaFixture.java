package dev.xatm.conformance;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBeanException;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.arjuna.coordinator.TransactionReaper;
import com.arjuna.ats.arjuna.coordinator.TxControl;
import com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.UserTransaction;
import java.nio.file.Path;

/**
 * Narayana's JVM-global configuration, in one place. Narayana keeps its configuration in static
 * environment beans read once when its classes initialise, and its TransactionManager, reaper and
 * object store are singletons; so the only isolation available is:
 *
 * <ul>
 *   <li>once per JVM ({@link #configure}): node identifier and every object store (default,
 *       communicationStore, stateStore) under {@code target/conformance-work/narayana-store},
 *       without fsync (as the xatm column), set before any Narayana class reads them (surefire runs
 *       this module in a fresh JVM of its own);
 *   <li>per case ({@link #reset}, from {@link NarayanaColumn}): the default timeout through {@link
 *       TxControl#setDefaultTimeout} (runtime-settable), the calling thread's timeout back to the
 *       default, no transaction left associated with the calling thread (rolled back if the case
 *       left one), and a check that the reaper holds no transaction of an earlier case.
 * </ul>
 *
 * What cannot be isolated: the object store contents (harmless: every case completes its
 * transactions, and no recovery manager runs) and transactions a case leaves suspended on another
 * thread (cases must not; the reaper check catches it).
 *
 * <p>Threading: {@link #configure} is synchronized; {@link #reset} runs on the case's thread.
 */
final class NarayanaFixture {
  private static boolean configured;
  private static TransactionManager tm;
  private static UserTransaction ut;
  private static TransactionSynchronizationRegistry tsr;

  private NarayanaFixture() {}

  static synchronized void configure() {
    if (configured) {
      return;
    }
    Path work = Path.of(System.getProperty("conformance.work", "target/conformance-work"));
    String store = work.resolve("narayana-store").toAbsolutePath().toString();
    try {
      arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("conformance");
    } catch (CoreEnvironmentBeanException e) {
      throw new IllegalStateException(e);
    }
    for (String name : new String[] {null, "communicationStore", "stateStore"}) {
      ObjectStoreEnvironmentBean os =
          name == null
              ? BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class)
              : BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name);
      os.setObjectStoreDir(store);
      // No fsync, like the xatm column: the cases are about JTA semantics, not durability.
      os.setObjectStoreSync(false);
      os.setTransactionSync(false);
    }
    tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
    ut = com.arjuna.ats.jta.UserTransaction.userTransaction();
    tsr = new TransactionSynchronizationRegistryImple();
    configured = true;
  }

  static TransactionManager tm() {
    return tm;
  }

  static UserTransaction ut() {
    return ut;
  }

  static TransactionSynchronizationRegistry tsr() {
    return tsr;
  }

  /** Brings the global state to "no transaction, this default timeout" for the next case. */
  static void reset(int defaultTimeoutSeconds) {
    configure();
    try {
      Transaction left;
      while ((left = tm.suspend()) != null) {
        int s = left.getStatus();
        if (s == Status.STATUS_ACTIVE || s == Status.STATUS_MARKED_ROLLBACK) {
          left.rollback();
        }
      }
      tm.setTransactionTimeout(0);
    } catch (SystemException | RuntimeException e) {
      throw new IllegalStateException("Narayana could not be reset between cases", e);
    }
    TxControl.setDefaultTimeout(defaultTimeoutSeconds);
    awaitNoReaperWork();
  }

  private static void awaitNoReaperWork() {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (TransactionReaper.transactionReaper().numberOfTransactions() > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "an earlier case left "
                + TransactionReaper.transactionReaper().numberOfTransactions()
                + " Narayana transaction(s) alive");
      }
      Thread.onSpinWait();
    }
  }
}
