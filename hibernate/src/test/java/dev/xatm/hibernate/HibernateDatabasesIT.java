package dev.xatm.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.testkit.SharedDatabases;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.wal.Durability;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.Persistence;
import jakarta.persistence.PersistenceException;
import jakarta.persistence.QueryTimeoutException;
import jakarta.transaction.RollbackException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.cfg.Configuration;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Plain Hibernate (JPA bootstrap, no Spring, no container) with two JTA persistence units on the
 * real PostgreSQL and MariaDB through {@code jdbc:xa:} XatmDataSources. Neither unit names a JTA
 * platform: Hibernate finds xatm's through {@link XatmJtaPlatformProvider}.
 */
class HibernateDatabasesIT {
  static final String DATABASE = "xatm_hib_it";

  /** The two databases. */
  enum Db {
    POSTGRESQL("bank"),
    MARIADB("ledger");

    final String unit;

    Db(String unit) {
      this.unit = unit;
    }

    String plainUrl() {
      return this == POSTGRESQL
          ? SharedDatabases.postgresUrl(DATABASE)
          : SharedDatabases.mariadbUrl(DATABASE);
    }

    String sleep(int seconds) {
      return this == POSTGRESQL
          ? "select pg_sleep(" + seconds + ")"
          : "select sleep(" + seconds + ")";
    }

    String lockWait(int seconds) {
      return this == POSTGRESQL
          ? "set lock_timeout = '" + seconds + "s'"
          : "set innodb_lock_wait_timeout = " + seconds;
    }
  }

  @TempDir static Path dir;
  private static XatmTransactionManager tm;
  private static final List<XatmDataSource> pools = new ArrayList<>();
  private static final Map<Db, EntityManagerFactory> units = new java.util.EnumMap<>(Db.class);
  private static long nextId;

  @BeforeAll
  static void start() throws SQLException {
    SharedDatabases.recreatePostgresDatabase(DATABASE);
    SharedDatabases.recreateMariaDbDatabase(DATABASE);
    for (Db db : Db.values()) {
      try (Connection c = DriverManager.getConnection(db.plainUrl());
          Statement s = c.createStatement()) {
        s.execute(
            "create table hib_account(id bigint primary key, owner varchar(40), balance bigint)");
      }
    }
    tm =
        XatmTransactionManager.start(
            XatmConfig.builder()
                .nodeId("hibernate-it")
                .logDir(dir.resolve("log"))
                .durability(Durability.NO_FSYNC_UNSAFE_FOR_TESTS_ONLY)
                .installAsDefault(true) // what XatmJtaPlatformProvider's platform uses
                .jmxEnabled(false)
                .reaperInterval(Duration.ofMillis(100))
                .build());
    for (Db db : Db.values()) {
      XatmDataSource ds =
          XatmDataSource.builder()
              .url(db.plainUrl().replace("jdbc:", "jdbc:xa:"))
              .runtime(tm)
              .maxPoolSize(4)
              .build();
      pools.add(ds);
      units.put(
          db,
          Persistence.createEntityManagerFactory(
              db.unit, Map.of("jakarta.persistence.jtaDataSource", ds)));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    units.values().forEach(EntityManagerFactory::close);
    pools.forEach(XatmDataSource::close);
    tm.close();
  }

  @AfterEach
  void noTransactionLeft() throws Exception {
    if (tm.getTransaction() != null) {
      tm.rollback();
      throw new AssertionError("a transaction was left on the thread");
    }
    tm.setTransactionTimeout(0);
  }

  private static synchronized long id() {
    return ++nextId;
  }

  private static Long committedBalance(Db db, long id) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.plainUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select balance from hib_account where id = " + id)) {
      return rs.next() ? rs.getLong(1) : null;
    }
  }

  private static void persistBoth(long id, long balance) {
    for (Db db : Db.values()) {
      EntityManager em = units.get(db).createEntityManager(); // joins the active transaction
      em.persist(new Account(id, "owner-" + id, balance));
      em.flush(); // the INSERT runs now, inside the XA branch
    }
  }

  /** As XatmJtaPlatformTest: the run is on the Hibernate line the module's pom names. */
  @Test
  void runsOnTheHibernateLineOfThisModule() {
    String major = System.getProperty("xatm.hibernate.major");
    assertTrue(major != null, "the pom passes xatm.hibernate.major");
    assertTrue(
        org.hibernate.Version.getVersionString().startsWith(major + "."),
        () -> "Hibernate " + org.hibernate.Version.getVersionString() + ", expected " + major);
  }

  @Test
  void hibernateUsesXatmsPlatformWithoutAProperty() {
    for (EntityManagerFactory emf : units.values()) {
      JtaPlatform platform =
          emf.unwrap(SessionFactoryImplementor.class)
              .getServiceRegistry()
              .getService(JtaPlatform.class);
      assertInstanceOf(XatmJtaPlatform.class, platform);
    }
  }

  /**
   * Hibernate's native bootstrap (no JPA) defaults to JDBC transactions: the one property it needs
   * is {@code hibernate.transaction.coordinator_class=jta}; the platform is found as above.
   */
  @Test
  void aNativeSessionFactoryNeedsOnlyTheJtaCoordinatorProperty() throws Exception {
    long id = id();
    List<SessionFactory> factories = new ArrayList<>();
    try {
      for (XatmDataSource ds : pools) {
        Configuration cfg = new Configuration().addAnnotatedClass(Account.class);
        cfg.getProperties().put("hibernate.connection.datasource", ds);
        cfg.setProperty("hibernate.transaction.coordinator_class", "jta");
        factories.add(cfg.buildSessionFactory());
      }
      tm.begin();
      for (SessionFactory sf : factories) {
        Session session = sf.openSession(); // joins the JTA transaction
        session.persist(new Account(id, "native", 10));
        session.flush();
      }
      tm.rollback();
      assertNull(committedBalance(Db.POSTGRESQL, id));
      assertNull(committedBalance(Db.MARIADB, id));
      tm.begin();
      for (SessionFactory sf : factories) {
        sf.openSession().persist(new Account(id, "native", 10)); // flushed before completion
      }
      tm.commit();
      assertEquals(10L, committedBalance(Db.POSTGRESQL, id));
      assertEquals(10L, committedBalance(Db.MARIADB, id));
    } finally {
      factories.forEach(SessionFactory::close);
    }
  }

  @Test
  void entitiesInBothDatabasesCommitTogether() throws Exception {
    long id = id();
    tm.begin();
    persistBoth(id, 100);
    tm.commit();
    assertEquals(100L, committedBalance(Db.POSTGRESQL, id));
    assertEquals(100L, committedBalance(Db.MARIADB, id));
  }

  @Test
  void anExceptionAfterBothWritesRollsBothBack() throws Exception {
    long id = id();
    tm.begin();
    try {
      persistBoth(id, 100);
      throw new IllegalStateException("the transfer fails after both writes");
    } catch (IllegalStateException expected) {
      tm.rollback();
    }
    assertNull(committedBalance(Db.POSTGRESQL, id));
    assertNull(committedBalance(Db.MARIADB, id));
  }

  @Test
  void aTransferBetweenTheDatabasesUpdatesBothOrNeither() throws Exception {
    long id = id();
    tm.begin();
    persistBoth(id, 100);
    tm.commit();

    tm.begin();
    EntityManager bank = units.get(Db.POSTGRESQL).createEntityManager();
    EntityManager ledger = units.get(Db.MARIADB).createEntityManager();
    bank.find(Account.class, id).add(-30);
    ledger.find(Account.class, id).add(30);
    tm.commit(); // Hibernate flushes both in beforeCompletion, then two-phase commit
    assertEquals(70L, committedBalance(Db.POSTGRESQL, id));
    assertEquals(130L, committedBalance(Db.MARIADB, id));

    tm.begin();
    bank = units.get(Db.POSTGRESQL).createEntityManager();
    ledger = units.get(Db.MARIADB).createEntityManager();
    bank.find(Account.class, id).add(-30);
    ledger.find(Account.class, id).add(30);
    bank.flush();
    ledger.flush();
    tm.rollback();
    assertEquals(70L, committedBalance(Db.POSTGRESQL, id));
    assertEquals(130L, committedBalance(Db.MARIADB, id));
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void aTimeoutSurfacesAsHibernatesTimeoutExceptionAndLeavesNoLock(Db db) throws Exception {
    long id = id();
    tm.begin();
    persistBoth(id, 100);
    tm.commit();

    tm.setTransactionTimeout(1);
    tm.begin();
    EntityManager em = units.get(db).createEntityManager();
    em.find(Account.class, id).add(5);
    em.flush(); // the row is locked in the database now
    PersistenceException e =
        assertThrows(
            PersistenceException.class,
            () -> em.createNativeQuery(db.sleep(30)).getSingleResult(),
            "the reaper cancels the statement at the deadline");
    // Hibernate's timeout exception over xatm's SQLTimeoutException (HYT00). JPA's
    // QueryTimeoutException means "the transaction is not marked for rollback"; Hibernate 7 knows
    // PostgreSQL aborts the transaction on any error and says PersistenceException instead.
    org.hibernate.QueryTimeoutException hibernates =
        assertInstanceOf(org.hibernate.QueryTimeoutException.class, e.getCause(), e.toString());
    assertInstanceOf(SQLTimeoutException.class, hibernates.getSQLException());
    assertEquals("HYT00", hibernates.getSQLState());
    if (!(db == Db.POSTGRESQL && org.hibernate.Version.getVersionString().startsWith("7."))) {
      assertInstanceOf(QueryTimeoutException.class, e, e.toString());
    }
    assertThrows(RollbackException.class, tm::commit);
    assertEquals(100L, committedBalance(db, id));
    try (Connection c = DriverManager.getConnection(db.plainUrl());
        Statement s = c.createStatement()) {
      s.execute(db.lockWait(2));
      c.setAutoCommit(false);
      assertEquals(1, s.executeUpdate("update hib_account set balance = 1 where id = " + id));
      c.rollback();
    }
    // The unit keeps working after the timeout.
    tm.begin();
    assertEquals(100L, units.get(db).createEntityManager().find(Account.class, id).balance());
    tm.commit();
    assertEquals(0, SharedDatabases.postgresPrepared(DATABASE));
  }
}
