package dev.xatm.it.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.samples.boot.TransferService;
import dev.xatm.spring.boot.XatmStartupRecovery;
import dev.xatm.spring.boot.XatmTransactionManagerCustomizer;
import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.recovery.RecoveryReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The shutdown order of docs/spring-boot.md on the Boot line of the module running it (it ran on
 * Boot 3.5 with H2 only before): when the context closes, background recovery passes and commit
 * retries stop before any DataSource closes, the pools close before the TM, and a commit retry that
 * was pending does not run while the beans are destroyed (so never against a closed pool): recovery
 * finishes it at the next start.
 */
class BootShutdownIT {
  @TempDir Path logDir;

  /**
   * An application bean using a DataSource: Spring destroys it after the lifecycle beans stopped and
   * before that DataSource. It watches the TM's recovery while the context closes.
   */
  @Configuration(proxyBeanMethods = false)
  static class Probe {
    static volatile RecoveryReport beforePause;
    static volatile RecoveryReport afterPause;
    static volatile boolean dataSourceOpenAtDestroy;
    static volatile int pendingRetriesAtDestroy;
    static volatile long pauseMillis = 600; // six background intervals of 100 ms

    @Bean
    DisposableBean shutdownProbe(
        @Qualifier("checkingDataSource") DataSource ds, XatmTransactionManager tm) {
      return () -> {
        dataSourceOpenAtDestroy = !((XatmDataSource) ds).isClosed();
        pendingRetriesAtDestroy = tm.pendingRetries();
        beforePause = tm.recovery().lastReport();
        Thread.sleep(pauseMillis);
        afterPause = tm.recovery().lastReport();
      };
    }
  }

  @Test
  void backgroundRecoveryStopsBeforeTheDataSourcesCloseAndThePoolsCloseBeforeTheTm()
      throws Exception {
    BankRig rig = new BankRig("shutdown", logDir, List.of("sam"));
    rig.createDatabases();
    ConfigurableApplicationContext ctx =
        rig.start(Map.of("xatm.recovery.interval", "100ms"), List.of(Probe.class));
    XatmDataSource checking = ctx.getBean("checkingDataSource", XatmDataSource.class);
    XatmTransactionManager tm = ctx.getBean(XatmTransactionManager.class);
    // Background passes run meanwhile: the interval is short enough to catch one while closing.
    RecoveryReport first = tm.recovery().lastReport();
    BootReadinessIT.waitFor(
        () -> tm.recovery().lastReport() != first, "a background pass before the close");
    ctx.close();
    assertTrue(Probe.dataSourceOpenAtDestroy, "the probe ran before the pools closed");
    assertNotNull(Probe.beforePause);
    assertSame(
        Probe.beforePause,
        Probe.afterPause,
        "a background recovery pass ran while the context was closing");
    assertTrue(checking.isClosed());
    // The TM closed after the pools: a new one opens the same log now.
    XatmTransactionManager.start(tm.config()).close();
  }

  @Test
  void aCommitRetryPendingAtShutdownIsNotRunAfterThePoolsCloseAndTheRestartFinishesIt()
      throws Exception {
    BankRig rig = new BankRig("shutdown_retry", logDir, List.of("rita"));
    rig.createDatabases();
    Failpoints failpoints = new Failpoints();
    // The first phase-2 commit fails after the decision: that branch goes to the background
    // retry, which waits 2 s first.
    failpoints.arm(
        Failpoint.BEFORE_COMMIT, Failpoints.onHit(1, Failpoints.fail("connection lost")));
    ApplicationContextInitializer<ConfigurableApplicationContext> armed =
        c ->
            c.getBeanFactory()
                .registerSingleton(
                    "shutdownFailpoints",
                    (XatmTransactionManagerCustomizer) b -> b.failpoints(failpoints));
    Map<String, String> props = Map.of("xatm.commit-retry.initial-backoff", "2s");
    // The probe holds the destruction of the beans, pools still open, past the retry's time: a
    // retrier still running then would commit the branch.
    Probe.pauseMillis = 3_000;
    ConfigurableApplicationContext ctx = rig.start(props, List.of(Probe.class), armed);
    XatmTransactionManager tm = ctx.getBean(XatmTransactionManager.class);
    ctx.getBean(TransferService.class).moveToSavings("rita", 30); // committed: the decision
    assertEquals(1, tm.pendingRetries(), "one branch waits for its retry");
    List<String> prepared = rig.preparedLeft();
    assertEquals(1, prepared.size(), () -> "one branch still prepared: " + prepared);
    XatmDataSource checking = ctx.getBean("checkingDataSource", XatmDataSource.class);
    XatmDataSource savings = ctx.getBean("savingsDataSource", XatmDataSource.class);
    try {
      ctx.close();
    } finally {
      Probe.pauseMillis = 600;
    }
    assertEquals(1, Probe.pendingRetriesAtDestroy, "the retry was still pending when closing");
    assertTrue(checking.isClosed() && savings.isClosed());
    assertEquals(prepared, rig.preparedLeft(), "no retry ran once the context began to close");

    try (ConfigurableApplicationContext again = rig.start(Map.of())) {
      RecoveryReport startup = again.getBean(XatmStartupRecovery.class).report();
      assertFalse(startup.unresolved(), startup::toString);
      assertEquals(List.of(), rig.preparedLeft(), "the startup pass finished the commit");
      assertArrayEquals(
          new long[] {BankRig.OPENING_CHECKING - 30, BankRig.OPENING_SAVINGS + 30},
          rig.balances("rita"));
    }
  }
}
