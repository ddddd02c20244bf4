package dev.xatm.it.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.support.MariaDbServer;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.jdbc.PoolStats;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.samples.spring.BankConfig;
import dev.xatm.samples.spring.TransferRejectedException;
import dev.xatm.samples.spring.TransferService;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * The Spring sample ({@code samples}: {@link BankConfig}, {@link TransferService}) against the real
 * PostgreSQL (checking ledger) and MariaDB (savings ledger): Spring's {@code JtaTransactionManager}
 * on xatm, {@code @Transactional} over two {@code jdbc:xa:} DataSources. Every test ends by
 * checking the money total, that no Xid of this node is left prepared on either server, and that
 * both pools have nothing borrowed. An unreachable server fails the test; it is never skipped.
 */
class SpringTransferIT {
  private static final String DB = "xatm_spring_it";
  private static final String NODE = "spring-it";
  private static final long SAVINGS_CAP = 3_500;
  private static final List<String> ACCOUNTS =
      List.of("alice", "bob", "carol", "load1", "load2", "load3");

  /** The accounts of the concurrent test; the other tests each have their own. */
  private static final List<String> LOAD_ACCOUNTS = List.of("load1", "load2", "load3");

  private static final long OPENING_CHECKING = 3_000;
  private static final long OPENING_SAVINGS = 1_000;
  private static final long TOTAL = ACCOUNTS.size() * (OPENING_CHECKING + OPENING_SAVINGS);

  @TempDir static Path logDir;
  private static PostgresServer pg;
  private static MariaDbServer mariadb;
  private static AnnotationConfigApplicationContext ctx;
  private static TransferService service;

  @BeforeAll
  static void start() throws Exception {
    pg = PostgresServer.shared();
    mariadb = MariaDbServer.shared();
    pg.recreateDatabase(DB);
    mariadb.recreateDatabase(DB);
    for (String url : List.of(pg.url(DB), mariadb.url(DB))) {
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement()) {
        s.execute("create table account(id varchar(32) primary key, balance bigint not null)");
        long opening = url.startsWith("jdbc:postgresql") ? OPENING_CHECKING : OPENING_SAVINGS;
        for (String a : ACCOUNTS) {
          s.execute("insert into account values ('" + a + "', " + opening + ")");
        }
      }
    }
    ctx = new AnnotationConfigApplicationContext();
    ctx.getEnvironment()
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                "it",
                Map.of(
                    "bank.checking.url", xa(pg.url(DB)),
                    "bank.savings.url", xa(mariadb.url(DB)),
                    "bank.pool-size", "4",
                    "bank.savings.max-balance", String.valueOf(SAVINGS_CAP),
                    "xatm.node-id", NODE,
                    "xatm.log.dir", logDir.resolve("xatm-log").toString(),
                    "xatm.runtime.install-default", "false")));
    ctx.register(BankConfig.class);
    ctx.refresh();
    service = ctx.getBean(TransferService.class);
  }

  @AfterAll
  static void stop() {
    if (ctx != null) {
      XatmDataSource checking = checkingPool();
      XatmDataSource savings = savingsPool();
      ctx.close();
      assertTrue(checking.isClosed(), "context close must close the checking pool");
      assertTrue(savings.isClosed(), "context close must close the savings pool");
    }
  }

  private static String xa(String url) {
    return url.replace("jdbc:", "jdbc:xa:");
  }

  private static XatmDataSource checkingPool() {
    return ctx.getBean("checkingDataSource", XatmDataSource.class);
  }

  private static XatmDataSource savingsPool() {
    return ctx.getBean("savingsDataSource", XatmDataSource.class);
  }

  @AfterEach
  void invariants() throws Exception {
    assertEquals(TOTAL, total(), "money appeared or vanished");
    assertEquals(List.of(), preparedXidsOfThisNode(), "prepared branches left behind");
    for (XatmDataSource ds : List.of(checkingPool(), savingsPool())) {
      PoolStats s = ds.stats();
      assertEquals(0, s.active(), () -> ds + " still has borrowed connections: " + s);
      assertEquals(0, s.waiting(), s::toString);
      assertEquals(0, ds.openBranches(), () -> ds + " has open branches");
    }
  }

  @Test
  void springUsesTheXatmBeanAsTransactionManagerUserTransactionAndRegistry() {
    XatmTransactionManager xatm = ctx.getBean(XatmTransactionManager.class);
    JtaTransactionManager jta = ctx.getBean(JtaTransactionManager.class);
    assertSame(xatm, jta.getTransactionManager());
    assertSame(xatm, jta.getUserTransaction());
    assertSame(xatm, jta.getTransactionSynchronizationRegistry());
    assertEquals(NODE, xatm.nodeId());
  }

  @Test
  void committedTransferChangesBothDatabases() throws Exception {
    long[] before = balancesOnServers("alice");
    service.moveToSavings("alice", 250);
    assertArrayEquals(new long[] {before[0] - 250, before[1] + 250}, balancesOnServers("alice"));
    service.moveToChecking("alice", 100);
    assertArrayEquals(new long[] {before[0] - 150, before[1] + 150}, balancesOnServers("alice"));
    assertArrayEquals(balancesOnServers("alice"), service.balances("alice"));
  }

  @Test
  void exceptionAfterBothUpdatesRollsBackBothDatabases() throws Exception {
    long[] before = balancesOnServers("bob");
    long amount = SAVINGS_CAP - before[1] + 1;
    assertTrue(amount <= before[0], "the test needs enough money in checking");
    TransferRejectedException e =
        assertThrows(TransferRejectedException.class, () -> service.moveToSavings("bob", amount));
    // The message carries the savings balance read after the credit inside the transaction: both
    // updates had run when the exception was thrown.
    assertTrue(
        e.getMessage().contains("would reach " + (before[1] + amount)), () -> e.getMessage());
    assertArrayEquals(before, balancesOnServers("bob"), "neither side may change");
  }

  @Test
  void exceptionAfterTheFirstUpdateRollsItBack() throws Exception {
    long[] before = balancesOnServers("carol");
    // Checking is credited first, then the savings debit finds too little money and throws.
    assertThrows(
        TransferRejectedException.class, () -> service.moveToChecking("carol", before[1] + 1));
    assertArrayEquals(before, balancesOnServers("carol"));
  }

  @Test
  void concurrentTransfersKeepTheTotal() throws Exception {
    long seed = System.nanoTime();
    System.out.println("concurrentTransfersKeepTheTotal seed " + seed);
    AtomicInteger committed = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Random random = new Random(seed + t);
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 25; i++) {
                    String account = LOAD_ACCOUNTS.get(random.nextInt(LOAD_ACCOUNTS.size()));
                    long amount = 1 + random.nextInt(1_500);
                    try {
                      if (random.nextBoolean()) {
                        service.moveToSavings(account, amount);
                      } else {
                        service.moveToChecking(account, amount);
                      }
                      committed.incrementAndGet();
                    } catch (TransferRejectedException e) {
                      rejected.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      pool.shutdown();
      // Wait for every thread before judging, so a failure cannot leave transactions running
      // into the next test.
      assertTrue(pool.awaitTermination(2, TimeUnit.MINUTES), "transfers did not finish");
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(200, committed.get() + rejected.get());
    assertTrue(committed.get() > 0, "no transfer committed");
    for (String a : LOAD_ACCOUNTS) {
      long[] b = balancesOnServers(a);
      assertTrue(b[0] >= 0 && b[1] >= 0 && b[1] <= SAVINGS_CAP, a + ": " + Arrays.toString(b));
    }
  }

  // ---- checks on the servers, through plain (non-XA) JDBC ----

  private static long[] balancesOnServers(String account) throws SQLException {
    return new long[] {balance(pg.url(DB), account), balance(mariadb.url(DB), account)};
  }

  private static long balance(String url, String account) throws SQLException {
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement ps = c.prepareStatement("select balance from account where id = ?")) {
      ps.setString(1, account);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next(), "no account " + account + " at " + url);
        return rs.getLong(1);
      }
    }
  }

  private static long total() throws SQLException {
    long sum = 0;
    for (String url : List.of(pg.url(DB), mariadb.url(DB))) {
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select sum(balance) from account")) {
        rs.next();
        sum += rs.getLong(1);
      }
    }
    return sum;
  }

  /** Prepared Xids whose gtrid belongs to this test's node, on both servers. */
  private static List<String> preparedXidsOfThisNode() throws SQLException {
    List<String> left = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(pg.adminUrl());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("select gid from pg_prepared_xacts where database = '" + DB + "'")) {
      while (rs.next()) {
        left.add("postgresql " + rs.getString(1));
      }
    }
    // MariaDB lists XA transactions server-wide; keep those whose gtrid is this node's.
    try (Connection c = DriverManager.getConnection(mariadb.adminUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("xa recover")) {
      while (rs.next()) {
        byte[] data = rs.getBytes("data");
        int gtridLength = rs.getInt("gtrid_length");
        Gtrid.fromBytes(Arrays.copyOf(data, gtridLength))
            .filter(g -> g.nodeId().equals(NODE))
            .ifPresent(g -> left.add("mariadb " + g));
      }
    }
    return left;
  }
}
