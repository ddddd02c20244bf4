package dev.xatm.it.boot.single;

import dev.xatm.tm.XatmTransactionManager;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The smallest Boot application with the starter: {@code spring.datasource.url} and Boot's own JPA
 * auto-configuration (one persistence unit), no bean about JTA, DataSources or Hibernate.
 */
@SpringBootApplication
public class LedgerApplication {

  /** Writes entries; reports what the transaction looked like from inside. */
  @Service
  public static class Ledger {
    private final Entries entries;
    private final XatmTransactionManager tm;
    private final DataSource dataSource;

    public Ledger(Entries entries, XatmTransactionManager tm, DataSource dataSource) {
      this.entries = entries;
      this.tm = tm;
      this.dataSource = dataSource;
    }

    /**
     * Saves and flushes an entry, then fails if asked.
     *
     * @return the branches the DataSource had open inside the transaction
     */
    @Transactional
    public int book(String id, long amount, boolean fail) throws Exception {
      entries.saveAndFlush(new Entry(id, amount));
      if (tm.getTransaction() == null) {
        throw new IllegalStateException("no JTA transaction inside @Transactional");
      }
      int open = dataSource.unwrap(dev.xatm.jdbc.XatmDataSource.class).openBranches();
      if (fail) {
        throw new IllegalArgumentException("failing after the flush on purpose");
      }
      return open;
    }
  }
}
