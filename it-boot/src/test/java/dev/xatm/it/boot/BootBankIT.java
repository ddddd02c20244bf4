package dev.xatm.it.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.samples.boot.TransferRejectedException;
import dev.xatm.samples.boot.TransferService;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * A real Boot application ({@link dev.xatm.samples.boot.BankApplication}: two JPA persistence units
 * over {@code xatm.datasources.checking} on PostgreSQL and {@code xatm.datasources.savings} on
 * MariaDB, nothing else) on the Boot line of the module running it. After each test: the money over
 * both databases is unchanged and nothing of this node is left prepared on either server.
 */
class BootBankIT {
  private static final List<String> ACCOUNTS =
      List.of("alice", "bob", "carol", "dave", "erin", "frank");

  @TempDir static Path logDir;
  private static BankRig rig;
  private static ConfigurableApplicationContext ctx;
  private static TransferService service;

  @BeforeAll
  static void start() throws Exception {
    rig = new BankRig("bank", logDir, ACCOUNTS);
    rig.createDatabases();
    ctx =
        rig.start(
            Map.of(
                "bank.savings.max-balance", "3500",
                "spring.transaction.default-timeout", "2s"));
    service = ctx.getBean(TransferService.class);
  }

  @AfterAll
  static void stop() throws Exception {
    if (ctx != null) {
      XatmDataSource checking = ctx.getBean("checkingDataSource", XatmDataSource.class);
      XatmTransactionManager tm = ctx.getBean(XatmTransactionManager.class);
      ctx.close();
      assertTrue(checking.isClosed(), "closing the context closes the pools");
      // The TM was closed after the pools: starting another one on the same log must work now.
      XatmTransactionManager.start(tm.config()).close();
    }
  }

  @AfterEach
  void invariants() throws Exception {
    assertEquals(rig.openingTotal(), rig.total(), "money was created or lost");
    assertEquals(List.of(), rig.preparedLeft(), "prepared transactions left behind");
  }

  @Test
  void runsOnTheBootLineOfThisModuleWithXatmInEveryRole() {
    assertTrue(
        SpringBootVersion.getVersion().startsWith(Servers.line() + "."),
        () -> "Boot " + SpringBootVersion.getVersion() + " in the module of Boot " + Servers.line());
    XatmTransactionManager xatm = ctx.getBean(XatmTransactionManager.class);
    JtaTransactionManager jta = ctx.getBean(JtaTransactionManager.class);
    assertSame(xatm, jta.getTransactionManager());
    assertSame(xatm, jta.getUserTransaction());
    assertSame(xatm, jta.getTransactionSynchronizationRegistry());
    assertEquals(rig.node(), xatm.nodeId());
    // Boot's TransactionManagerCustomizers ran: spring.transaction.default-timeout=2s.
    assertEquals(2, jta.getDefaultTimeout());
    // Both DataSources are xatm pools; the primary one is what an unqualified DataSource gets.
    assertInstanceOf(XatmDataSource.class, ctx.getBean("savingsDataSource"));
    assertSame(ctx.getBean("checkingDataSource"), ctx.getBean(DataSource.class));
    // Each declared DataSource is a recovery resource of the TM with no extra key.
    Map<String, String> recovery = xatm.config().recovery();
    assertEquals(
        "jdbc:xa:postgresql://" + Servers.pgHostPort() + "/" + rig.db(),
        recovery.get("xatm.recovery.resource.checking.url"));
    assertEquals("root", recovery.get("xatm.recovery.resource.savings.user"));
    // The units the application declares get xatm-hibernate's platform on this TM.
    for (String unit : List.of("checkingEntityManagerFactory", "savingsEntityManagerFactory")) {
      assertEquals(
          "dev.xatm.hibernate.XatmJtaPlatform",
          BootSingleDataSourceIT.jtaPlatform(
              ctx.getBean(unit, jakarta.persistence.EntityManagerFactory.class)),
          unit);
    }
  }

  @Test
  void jpaTransferCommitsInBothDatabases() throws Exception {
    service.moveToSavings("alice", 250);
    assertArrayEquals(
        new long[] {BankRig.OPENING_CHECKING - 250, BankRig.OPENING_SAVINGS + 250},
        rig.balances("alice"));
  }

  @Test
  void unflushedEntityChangesAreFlushedByTheJtaCommit() throws Exception {
    // Hibernate flushes in its JTA synchronization: nothing reaches a database unless Hibernate
    // joined the xatm transaction.
    service.moveToSavingsUnflushed("dave", 40);
    assertArrayEquals(
        new long[] {BankRig.OPENING_CHECKING - 40, BankRig.OPENING_SAVINGS + 40},
        rig.balances("dave"));
  }

  @Test
  void exceptionAfterBothWritesRollsBackBothDatabases() throws Exception {
    long[] before = rig.balances("bob");
    TransferRejectedException e =
        assertThrows(TransferRejectedException.class, () -> service.moveToSavings("bob", 2_600));
    assertTrue(e.getMessage().contains("would reach 3600"), e::getMessage);
    assertArrayEquals(before, rig.balances("bob"), "neither database may change");
  }

  @Test
  void requiresNewCommitsItsOwnTransactionWhenTheOuterRollsBack() throws Exception {
    long[] before = rig.balances("carol");
    assertThrows(
        TransferRejectedException.class,
        () -> service.moveAudited("carol", 100, "audit-rolled-back-outer", true));
    assertArrayEquals(before, rig.balances("carol"), "the outer transfer rolled back");
    assertEquals(
        1,
        Servers.queryLong(
            rig.mariaUrl(), "select count(*) from audit where id = 'audit-rolled-back-outer'"),
        "the REQUIRES_NEW audit line committed");

    service.moveAudited("carol", 100, "audit-committed-outer", false);
    assertArrayEquals(new long[] {before[0] - 100, before[1] + 100}, rig.balances("carol"));
  }

  @Test
  void defaultTimeoutOfBootRollsBackBothDatabases() throws Exception {
    long[] before = rig.balances("erin");
    long t0 = System.nanoTime();
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> service.moveSlowly("erin", 10, 3_000));
    assertNotNull(e);
    assertArrayEquals(before, rig.balances("erin"), "the timed-out transfer changed nothing");
    assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "the timeout did not hang");
    // The pools recovered their connections.
    assertEquals(0, ctx.getBean("checkingDataSource", XatmDataSource.class).stats().active());
  }

  @Test
  void healthIsUpWithTheTransactionManagersNumbers() throws Exception {
    Health.Reading h = Health.read(ctx);
    assertEquals("UP", h.status(), () -> "" + h.details());
    assertEquals("FINISHED", h.details().get("startupRecovery"));
    assertEquals(false, h.details().get("failStopped"));
    assertEquals(0, h.details().get("inDoubt"));
    assertEquals(0, h.details().get("unresolvedHeuristics"));
    String expected =
        Servers.line().startsWith("3.")
            ? "org.springframework.boot.actuate.health.HealthIndicator"
            : "org.springframework.boot.health.contributor.HealthIndicator";
    assertEquals(expected, Health.indicatorType(ctx));
  }

  @Test
  void micrometerAndPoolMetadataSeeTheTransactionManagerAndThePools() throws Exception {
    service.moveToSavings("frank", 5);
    MeterRegistry registry = ctx.getBean(MeterRegistry.class);
    FunctionCounter committed =
        registry.find("xatm.transactions").tag("outcome", "committed").functionCounter();
    assertNotNull(committed, "xatm.transactions{outcome=committed} is registered");
    assertTrue(committed.count() >= 1, () -> "committed = " + committed.count());
    Gauge active = registry.find("xatm.transactions.active").tag("node", rig.node()).gauge();
    assertNotNull(active);
    assertEquals(0.0, active.value());
    assertNotNull(registry.find("xatm.recovery.in_doubt").gauge());
    assertNotNull(registry.find("xatm.recovery.last.duration").timeGauge());
    // The log writer's numbers: the transfer was a two-phase commit over two databases, so its
    // decision was forced to the log in a batch.
    XatmTransactionManager tm = ctx.getBean(XatmTransactionManager.class);
    // The transfer's End is written after commit() returned: read the log's numbers once the
    // writer is idle, or a batch landing between two readings makes them disagree.
    awaitQuietLog(tm);
    FunctionTimer force = registry.find("xatm.log.force").tag("node", rig.node()).functionTimer();
    assertNotNull(force, "xatm.log.force is registered");
    assertTrue(force.count() >= 1, () -> "fsyncs = " + force.count());
    assertTrue(force.totalTime(TimeUnit.MICROSECONDS) > 0);
    assertEquals(
        tm.metrics().logIo().forceLatencyMicros().max(),
        registry
            .find("xatm.log.force.latency")
            .tag("quantile", "1.0")
            .timeGauge()
            .value(TimeUnit.MICROSECONDS),
        0.5);
    FunctionCounter batches = registry.find("xatm.log.batches").functionCounter();
    FunctionCounter records = registry.find("xatm.log.batch.records").functionCounter();
    assertTrue(batches.count() >= 1 && records.count() >= batches.count());
    Gauge batchP99 = registry.find("xatm.log.batch.size").tag("quantile", "0.99").gauge();
    assertNotNull(batchP99, "xatm.log.batch.size{quantile=0.99}");
    assertTrue(batchP99.value() >= 1, () -> "records per batch p99 = " + batchP99.value());

    DataSource checking = ctx.getBean("checkingDataSource", DataSource.class);
    DataSourcePoolMetadata meta =
        ctx.getBeansOfType(DataSourcePoolMetadataProvider.class).values().stream()
            .map(p -> p.getDataSourcePoolMetadata(checking))
            .filter(m -> m != null)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no DataSourcePoolMetadataProvider knows xatm"));
    assertEquals(5, meta.getMax());
    assertEquals(0, meta.getActive());
    // Boot's own DataSource pool metrics use that provider (Boot drops the DataSource suffix).
    Gauge max = registry.find("jdbc.connections.max").tag("name", "checking").gauge();
    assertNotNull(max, "Boot's jdbc.connections.max for the xatm pool");
    assertEquals(5.0, max.value());
  }

  /** Waits until two readings of the log's statistics, 100 ms apart, are equal (at most 5 s). */
  private static void awaitQuietLog(XatmTransactionManager tm) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    var before = tm.metrics().logIo();
    while (System.nanoTime() < deadline) {
      Thread.sleep(100);
      var now = tm.metrics().logIo();
      if (now.equals(before)) {
        return;
      }
      before = now;
    }
    throw new AssertionError("the log did not go quiet: " + before);
  }
}
