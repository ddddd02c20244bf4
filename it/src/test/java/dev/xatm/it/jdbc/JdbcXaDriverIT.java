package dev.xatm.it.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.support.MariaDbServer;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.jdbc.PoolStats;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.jdbc.XatmRecoveryConnector;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.spi.RecoverySession;
import jakarta.transaction.RollbackException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.xa.PGXADataSource;

/**
 * The {@code jdbc:xa:} driver against real PostgreSQL and MariaDB (and embedded H2), driven by the
 * real xatm transaction manager. Servers come from {@code XATM_IT_PG_URL} / {@code
 * XATM_IT_MARIADB_URL} or the local defaults; an unreachable server fails the test.
 */
class JdbcXaDriverIT {
  private static final String DB = "xatm_jdbc_it";

  @TempDir static Path logDir;
  private static XatmTransactionManager tm;
  private static PostgresServer pg;
  private static MariaDbServer mariadb;
  private static String h2Url;

  private final List<XatmDataSource> pools = new ArrayList<>();
  private final String table = "t" + Long.toHexString(System.nanoTime());

  @BeforeAll
  static void start() throws Exception {
    pg = PostgresServer.shared();
    mariadb = MariaDbServer.shared();
    pg.recreateDatabase(DB);
    mariadb.recreateDatabase(DB);
    h2Url = "jdbc:xa:h2:file:" + logDir.resolve("h2db").toAbsolutePath() + ";USER=sa";
    tm =
        XatmTransactionManager.start(
            XatmConfig.builder()
                .nodeId("jdbc-it")
                .logDir(logDir.resolve("log"))
                .installAsDefault(false)
                .reaperInterval(Duration.ofMillis(50))
                .build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (tm != null) {
      tm.close();
    }
  }

  @AfterEach
  void closePools() {
    pools.forEach(XatmDataSource::close);
  }

  private XatmDataSource pool(String xaUrl, XatmDataSource.Builder extra) throws SQLException {
    XatmDataSource ds = extra.url(xaUrl).runtime(tm).build();
    pools.add(ds);
    return ds;
  }

  private XatmDataSource pool(String xaUrl) throws SQLException {
    return pool(xaUrl, XatmDataSource.builder().maxPoolSize(10));
  }

  private static String pgXa() {
    return pg.url(DB).replace("jdbc:", "jdbc:xa:");
  }

  private static String mariaXa() {
    return mariadb.url(DB).replace("jdbc:", "jdbc:xa:");
  }

  private void createTable(XatmDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("create table " + table + "(id int primary key, v varchar(20))");
    }
  }

  private void insert(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("insert into " + table + " values (?, 'x')")) {
      ps.setInt(1, id);
      ps.executeUpdate();
    }
  }

  private int count(XatmDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static int preparedLeftOnServers() throws SQLException {
    int n = 0;
    try (Connection c = DriverManager.getConnection(pg.adminUrl());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select count(*) from pg_prepared_xacts where database = '" + DB + "'")) {
      rs.next();
      n += rs.getInt(1);
    }
    try (Connection c = DriverManager.getConnection(mariadb.adminUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("xa recover")) {
      while (rs.next()) {
        n++;
      }
    }
    return n;
  }

  private static void assertIdle(XatmDataSource ds) {
    PoolStats s = ds.stats();
    assertEquals(0, s.active(), () -> ds + " still has borrowed connections: " + s);
    assertEquals(0, s.waiting(), s::toString);
    assertEquals(0, ds.openBranches(), "branches still open");
  }

  // --- commit and rollback across databases -------------------------------------------------

  @Test
  void commitAcrossPostgresMariaDbAndH2() throws Exception {
    XatmDataSource p = pool(pgXa());
    XatmDataSource m = pool(mariaXa());
    XatmDataSource h = pool(h2Url);
    for (XatmDataSource ds : List.of(p, m, h)) {
      createTable(ds);
    }
    tm.begin();
    for (XatmDataSource ds : List.of(p, m, h)) {
      try (Connection c = ds.getConnection()) {
        insert(c, 1);
      }
      try (Connection c = ds.getConnection()) { // same branch, second handle
        insert(c, 2);
      }
    }
    tm.commit();
    for (XatmDataSource ds : List.of(p, m, h)) {
      assertEquals(2, count(ds), ds.toString());
      assertIdle(ds);
    }
    assertEquals(0, preparedLeftOnServers());
  }

  @Test
  void rollbackAcrossPostgresAndMariaDbOnApplicationError() throws Exception {
    XatmDataSource p = pool(pgXa());
    XatmDataSource m = pool(mariaXa());
    createTable(p);
    createTable(m);
    tm.begin();
    try {
      try (Connection a = p.getConnection();
          Connection b = m.getConnection()) {
        insert(a, 1);
        insert(b, 1);
        insert(b, 1); // duplicate key: the application's error
      }
      tm.commit();
    } catch (SQLException e) {
      tm.rollback();
    }
    assertEquals(0, count(p));
    assertEquals(0, count(m));
    assertIdle(p);
    assertIdle(m);
    assertEquals(0, preparedLeftOnServers());
  }

  @Test
  void readOnlyAndOnePhaseTransactionsComplete() throws Exception {
    XatmDataSource p = pool(pgXa());
    XatmDataSource m = pool(mariaXa());
    createTable(p);
    createTable(m);
    tm.begin(); // one resource: one-phase
    try (Connection a = p.getConnection()) {
      insert(a, 1);
    }
    tm.commit();
    tm.begin(); // two resources, reading only
    assertEquals(1, count(p));
    assertEquals(0, count(m));
    tm.commit();
    assertIdle(p);
    assertIdle(m);
    assertEquals(0, preparedLeftOnServers());
  }

  // --- pool behaviour on a real server ------------------------------------------------------

  @Test
  void exhaustedPostgresPoolTimesOutWithItsNumbers() throws Exception {
    XatmDataSource p =
        pool(
            pgXa(), XatmDataSource.builder().maxPoolSize(2).acquireTimeout(Duration.ofMillis(300)));
    try (Connection a = p.getConnection();
        Connection b = p.getConnection()) {
      SQLTransientConnectionException e =
          assertThrows(SQLTransientConnectionException.class, p::getConnection);
      for (String part : new String[] {"300 ms", "total=2", "active=2", "idle=0", "waiting="}) {
        assertTrue(e.getMessage().contains(part), part + " missing in " + e.getMessage());
      }
      assertTrue(a.isValid(1) && b.isValid(1));
    }
    assertIdle(p);
  }

  @Test
  void postgresBackendKilledMidTransactionIsEvictedAndRolledBack() throws Exception {
    XatmDataSource p = pool(pgXa());
    createTable(p);
    tm.begin();
    int pid;
    try (Connection c = p.getConnection()) {
      insert(c, 1);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      try (Connection admin = DriverManager.getConnection(pg.adminUrl());
          Statement s = admin.createStatement()) {
        s.execute("select pg_terminate_backend(" + pid + ")");
      }
      SQLException e = assertThrows(SQLException.class, () -> insert(c, 2));
      assertTrue(
          e.getSQLState().startsWith("08") || e.getSQLState().equals("57P01"), e.getSQLState());
    }
    rollbackTolerantly();
    assertIdle(p);
    assertTrue(p.stats().evictedBroken() >= 1, p.stats()::toString);
    assertEquals(0, count(p), "nothing of the killed transaction is committed");
    assertEquals(0, preparedLeftOnServers());
    tm.begin();
    try (Connection c = p.getConnection()) {
      insert(c, 3);
    }
    tm.commit();
    assertEquals(1, count(p), "the pool recovered with a fresh connection");
  }

  @Test
  void mariaDbConnectionKilledMidTransactionIsEvictedAndRolledBack() throws Exception {
    XatmDataSource m = pool(mariaXa());
    createTable(m);
    tm.begin();
    long id;
    try (Connection c = m.getConnection()) {
      insert(c, 1);
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select connection_id()")) {
        rs.next();
        id = rs.getLong(1);
      }
      try (Connection admin = DriverManager.getConnection(mariadb.adminUrl());
          Statement s = admin.createStatement()) {
        s.execute("kill " + id);
      }
      assertThrows(SQLException.class, () -> insert(c, 2));
    }
    rollbackTolerantly();
    assertIdle(m);
    assertTrue(m.stats().evictedBroken() >= 1, m.stats()::toString);
    assertEquals(0, count(m));
    assertEquals(0, preparedLeftOnServers());
  }

  /** The TM may report the dead branch's failed rollback; the outcome is a rollback either way. */
  private static void rollbackTolerantly() {
    try {
      tm.rollback();
    } catch (Exception e) {
      System.out.println("rollback reported: " + e);
    }
  }

  @Test
  void transactionTimeoutDuringAStatementLeavesNoBranchBehind() throws Exception {
    XatmDataSource p = pool(pgXa());
    createTable(p);
    tm.setTransactionTimeout(1);
    try {
      tm.begin();
      try (Connection c = p.getConnection()) {
        insert(c, 1);
        try (Statement s = c.createStatement()) {
          s.execute("select pg_sleep(2)"); // the statement outlives the transaction
        } catch (SQLException e) {
          System.out.println("statement ended by the timeout: " + e);
        }
      }
      assertThrows(RollbackException.class, tm::commit);
    } finally {
      tm.setTransactionTimeout(0);
    }
    assertIdle(p);
    assertEquals(0, count(p));
    assertEquals(0, preparedLeftOnServers());
  }

  @Test
  void leakDetectionReportsTheBorrowerAgainstPostgres() throws Exception {
    AtomicLong clock = new AtomicLong();
    XatmDataSource p =
        pool(
            pgXa(),
            XatmDataSource.builder()
                .leakDetectionThreshold(Duration.ofSeconds(10))
                .housekeepingPeriod(Duration.ZERO)
                .nanoClock(clock::get));
    List<LogRecord> records = new ArrayList<>();
    Logger log = Logger.getLogger("dev.xatm.jdbc.pool");
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            synchronized (records) {
              records.add(r);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(h);
    try (Connection leaked = borrowAndForget(p)) {
      clock.addAndGet(Duration.ofSeconds(11).toNanos());
      p.runHousekeeping();
      assertEquals(1, p.stats().leaksDetected());
      LogRecord r =
          records.stream().filter(x -> x.getLevel() == Level.WARNING).findFirst().orElseThrow();
      assertTrue(
          Arrays.stream(r.getThrown().getStackTrace())
              .anyMatch(f -> f.getMethodName().equals("borrowAndForget")));
      assertTrue(leaked.isValid(1));
    } finally {
      log.removeHandler(h);
    }
  }

  private static Connection borrowAndForget(XatmDataSource ds) throws SQLException {
    return ds.getConnection();
  }

  // --- load -----------------------------------------------------------------------------------

  @Test
  void sixtyFourThreadsShareOnePoolPerDatabase() throws Exception {
    long seed = Long.getLong("xatm.seed", System.nanoTime());
    System.out.println("sixtyFourThreads seed=" + seed + " (rerun with -Dxatm.seed=" + seed + ")");
    XatmDataSource p =
        pool(
            pgXa(), XatmDataSource.builder().maxPoolSize(8).acquireTimeout(Duration.ofSeconds(60)));
    XatmDataSource m =
        pool(
            mariaXa(),
            XatmDataSource.builder().maxPoolSize(8).acquireTimeout(Duration.ofSeconds(60)));
    createTable(p);
    createTable(m);
    int threads = 64;
    int rounds = 6;
    AtomicInteger ids = new AtomicInteger();
    AtomicInteger committed = new AtomicInteger();
    ExecutorService exec = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Random random = new Random(seed + t);
      futures.add(
          exec.submit(
              () -> {
                go.await();
                for (int r = 0; r < rounds; r++) {
                  int id = ids.incrementAndGet();
                  boolean rollback = random.nextInt(4) == 0;
                  tm.begin();
                  try (Connection a = p.getConnection();
                      Connection b = m.getConnection()) {
                    insert(a, id);
                    insert(b, id);
                  }
                  if (rollback) {
                    tm.rollback();
                  } else {
                    tm.commit();
                    committed.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : futures) {
      f.get(100, TimeUnit.SECONDS);
    }
    exec.shutdown();
    assertTrue(exec.awaitTermination(10, TimeUnit.SECONDS));
    for (XatmDataSource ds : List.of(p, m)) {
      assertIdle(ds);
      PoolStats s = ds.stats();
      assertTrue(s.total() <= 8, s::toString);
      assertEquals(s.total(), s.idle(), s::toString);
      assertEquals(0, s.acquireTimeouts());
      assertEquals(committed.get(), count(ds), ds.toString());
    }
    assertEquals(0, preparedLeftOnServers());
  }

  // --- recovery and server checks -------------------------------------------------------------

  private record TestXid(int getFormatId, byte[] getGlobalTransactionId, byte[] getBranchQualifier)
      implements Xid {}

  @Test
  void recoveryConnectorReachesAPreparedPostgresBranchFromTheDescriptor() throws Exception {
    XatmDataSource p = pool(pgXa());
    Xid xid =
        new TestXid(
            0x7e57,
            ("jdbc-it-" + System.nanoTime()).getBytes(StandardCharsets.US_ASCII),
            new byte[] {1});
    PGXADataSource raw = new PGXADataSource();
    raw.setUrl(pg.url(DB));
    XAConnection xa = raw.getXAConnection();
    try {
      xa.getXAResource().start(xid, XAResource.TMNOFLAGS);
      try (Statement s = xa.getConnection().createStatement()) {
        s.execute("select 1");
      }
      xa.getXAResource().end(xid, XAResource.TMSUCCESS);
      assertEquals(XAResource.XA_OK, xa.getXAResource().prepare(xid));
    } finally {
      xa.close(); // the prepared branch outlives the session, as after a crash
    }
    assertTrue(!p.descriptor().url().contains("password"), p.descriptor().url());
    try (RecoverySession session = new XatmRecoveryConnector().open(p.descriptor(), null)) {
      Xid[] found = session.xaResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
      assertTrue(
          Arrays.stream(found)
              .anyMatch(
                  x -> Arrays.equals(x.getGlobalTransactionId(), xid.getGlobalTransactionId())));
      session.xaResource().rollback(xid);
    }
    assertEquals(0, preparedLeftOnServers());
  }

  @Test
  void postgresPoolStartChecksMaxPreparedTransactions() throws Exception {
    // The server here has max_prepared_transactions > 0, so the check passes; the failing
    // branch (= 0) is covered against a fake connection in XaConnectionFactoryTest.
    try (Connection c = DriverManager.getConnection(pg.adminUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("show max_prepared_transactions")) {
      rs.next();
      assertTrue(Integer.parseInt(rs.getString(1)) > 0);
    }
    XatmDataSource p = pool(pgXa());
    try (Connection c = p.getConnection()) {
      assertTrue(c.isValid(1));
    }
    assertEquals(1, p.stats().created());
  }
}
