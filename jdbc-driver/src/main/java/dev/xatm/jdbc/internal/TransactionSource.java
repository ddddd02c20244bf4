package dev.xatm.jdbc.internal;

import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.spi.XatmRuntime;
import dev.xatm.tm.spi.XatmRuntimes;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Where connections find the transaction manager: a fixed one (DataSource built with a TM or a
 * runtime), or whichever xatm runtime is the JVM default at the moment of use (the {@code
 * java.sql.Driver}, which the JDK instantiates before any TM may exist).
 *
 * <p>Thread-safe.
 */
public final class TransactionSource {
  private final Supplier<XatmRuntime> runtime;
  private final TransactionManager fixedTm;
  private final ReentrantLock lock = new ReentrantLock();
  // Runtimes already told a resource's password; weak so a closed TM is not kept alive.
  private final WeakHashMap<XatmRuntime, Set<String>> offered = new WeakHashMap<>();

  private TransactionSource(Supplier<XatmRuntime> runtime, TransactionManager fixedTm) {
    this.runtime = runtime;
    this.fixedTm = fixedTm;
  }

  /** A plain JTA TransactionManager; recovery then needs the resource in the TM's properties. */
  public static TransactionSource of(TransactionManager tm) {
    Objects.requireNonNull(tm, "transactionManager");
    return new TransactionSource(() -> null, tm);
  }

  public static TransactionSource of(XatmRuntime runtime) {
    Objects.requireNonNull(runtime, "runtime");
    return new TransactionSource(() -> runtime, null);
  }

  /** The JVM default runtime ({@link XatmRuntimes#current()}), looked up at every use. */
  public static TransactionSource jvmDefault() {
    return new TransactionSource(() -> XatmRuntimes.current().orElse(null), null);
  }

  /** The TM to ask for the current transaction, or null when none is running. */
  TransactionManager transactionManager() {
    if (fixedTm != null) {
      return fixedTm;
    }
    XatmRuntime rt = runtime.get();
    return rt == null ? null : rt.transactionManager();
  }

  /**
   * Registers the driver's synchronization with the thread's transaction {@code tx}: interposed
   * when the TM is also the TransactionSynchronizationRegistry (xatm is), regular otherwise. The
   * TSR Javadoc runs interposed beforeCompletion callbacks after every regular one and refuses
   * regular registrations from then on; Spring and Hibernate register their flush as interposed, so
   * a connection first used during that flush could not enlist with a regular synchronization. The
   * driver's synchronization does nothing before completion, so its group does not matter there.
   */
  void registerSynchronization(Transaction tx, Synchronization sync)
      throws RollbackException, SystemException {
    if (transactionManager() instanceof TransactionSynchronizationRegistry tsr) {
      tsr.registerInterposedSynchronization(sync); // the thread's transaction, which is tx
      return;
    }
    tx.registerSynchronization(sync);
  }

  /**
   * Tells the runtime (once per runtime and resource) the password of a resource about to be
   * enlisted, so its recovery can reconnect. The password stays in memory.
   */
  void offerCredentials(ResourceDescriptor resource, String password) {
    if (password == null) {
      return;
    }
    XatmRuntime rt = runtime.get();
    if (rt == null) {
      return;
    }
    lock.lock();
    try {
      if (!offered.computeIfAbsent(rt, k -> new java.util.HashSet<>()).add(resource.resourceId())) {
        return;
      }
    } finally {
      lock.unlock();
    }
    rt.offerCredentials(resource, password);
  }
}
