package dev.xatm.bench.e2e;

import com.arjuna.ats.arjuna.common.CoreEnvironmentBeanException;
import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.arjuna.objectstore.StoreManager;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqJournalEnvironmentBean;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqObjectStoreAdaptor;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.Status;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * Narayana (narayana-jta) driving the same XA connections as the raw-XA contender: begin, enlist A,
 * update, enlist B, update, commit. Two instances, one per object store:
 *
 * <ul>
 *   <li>{@code narayana}: the default store (ShadowNoFileLockStore, a file per transaction) in
 *       {@code bench/target/e2e/narayana-store};
 *   <li>{@code narayana-journal}: the Artemis journal store ({@code HornetqObjectStoreAdaptor}) in
 *       {@code bench/target/e2e/narayana-journal/journal} (the transaction log; the communication
 *       and state stores in {@code journal-communicationStore} and {@code journal-stateStore}
 *       beside it), as in the TM benchmark's journal variant: every journal setting at Narayana's
 *       default, sync writes stated explicitly.
 * </ul>
 *
 * <p>Narayana's configuration is JVM-global: the beans are singletons and {@link StoreManager}
 * keeps one started store, built from the beans on first use. So {@link #open} points the beans at
 * this instance's store and {@link #close} stops it ({@code StoreManager.shutdown()}), and the next
 * Narayana contender builds its own. Only one contender is open at a time, which is what makes that
 * safe. Narayana's recovery manager is not started (it is the only part that keeps a store of its
 * own).
 */
final class NarayanaContender implements Contender {
  /** Which object store an instance uses. */
  enum Store {
    DEFAULT("narayana"),
    JOURNAL("narayana-journal");

    final String contender;

    Store(String contender) {
      this.contender = contender;
    }
  }

  /** The three stores' beans: the action store (the unnamed one), communication, state. */
  private static final String[] STORE_NAMES = {null, "communicationStore", "stateStore"};

  /** Narayana's own store type per bean, read before any instance changes the beans. */
  private static final String[] DEFAULT_TYPES =
      Arrays.stream(STORE_NAMES).map(n -> bean(n).getObjectStoreType()).toArray(String[]::new);

  private final BenchServer server;
  private final Store store;
  private final Path storeDir;
  private final TransactionManager tm;
  private XaConnections xa;

  /**
   * {@code storeDir} is where the store keeps its files (the journal under its {@code journal}
   * folder).
   */
  NarayanaContender(BenchServer server, Store store, Path storeDir)
      throws CoreEnvironmentBeanException {
    this.server = server;
    this.store = store;
    this.storeDir = storeDir;
    arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("e2e-narayana");
    this.tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
  }

  /** The class of this instance's action store (the one that logs the transactions). */
  String storeType() {
    return storeType(0);
  }

  private String storeType(int bean) {
    return store == Store.JOURNAL ? HornetqObjectStoreAdaptor.class.getName() : DEFAULT_TYPES[bean];
  }

  private static ObjectStoreEnvironmentBean bean(String name) {
    return name == null
        ? BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class)
        : BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name);
  }

  Path storeDir() {
    return storeDir;
  }

  @Override
  public String name() {
    return store.contender;
  }

  @Override
  public void open(int threads) throws SQLException {
    StoreManager.shutdown(); // whatever store an earlier user left started
    for (int i = 0; i < STORE_NAMES.length; i++) {
      String name = STORE_NAMES[i];
      ObjectStoreEnvironmentBean os = bean(name);
      os.setObjectStoreDir(storeDir.toString());
      os.setObjectStoreType(storeType(i));
      if (store == Store.JOURNAL) {
        // Narayana builds each store's journal from the journal bean of the store's name, so
        // each needs its own directory (by default all named ones share user.dir).
        HornetqJournalEnvironmentBean j =
            name == null
                ? BeanPopulator.getDefaultInstance(HornetqJournalEnvironmentBean.class)
                : BeanPopulator.getNamedInstance(HornetqJournalEnvironmentBean.class, name);
        j.setStoreDir(storeDir.resolve(name == null ? "journal" : "journal-" + name).toString());
        j.setSyncWrites(true);
      }
    }
    // Start the store here, outside the timed windows (the journal creates its files).
    String started = StoreManager.getParticipantStore().getClass().getName();
    if (!started.equals(storeType())) {
      throw new IllegalStateException(
          name() + " expected store " + storeType() + ", got " + started);
    }
    xa = new XaConnections(server, threads);
  }

  @Override
  public void transfer(int thread, long sequence) throws Exception {
    int row = BankTables.row(thread, sequence);
    tm.begin();
    try {
      Transaction tx = tm.getTransaction();
      tx.enlistResource(xa.resources[thread][0]);
      update(xa.connections[thread][0], BankTables.DEBIT, row);
      tx.enlistResource(xa.resources[thread][1]);
      update(xa.connections[thread][1], BankTables.CREDIT, row);
    } catch (Exception e) {
      if (tm.getStatus() != Status.STATUS_NO_TRANSACTION) {
        tm.rollback();
      }
      throw e;
    }
    tm.commit();
  }

  private static void update(Connection c, String sql, int row) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, row);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("row " + row + " missing");
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      xa.close();
    } finally {
      StoreManager.shutdown();
    }
  }
}
