package dev.xatm.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.recovery.RecoveryReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * The starter in a real Boot 3.5 context (the line it is compiled against) over embedded H2
 * databases: what the properties create, what recovery is told, the shutdown order, and that bad
 * settings fail startup naming the key. The real-database and Boot 4 tests are in {@code it-boot}.
 */
class XatmAutoConfigurationTest {
  @TempDir Path logDir;

  /** An application bean that uses a DataSource: Spring destroys it before that DataSource. */
  @SpringBootConfiguration
  @EnableAutoConfiguration(
      excludeName = "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration")
  static class App {
    static volatile RecoveryReport beforePause;
    static volatile RecoveryReport afterPause;
    static volatile boolean dataSourceOpenAtDestroy;

    @Bean
    DisposableBean probe(@Qualifier("aDataSource") DataSource ds, XatmTransactionManager tm) {
      return () -> {
        // The context is closing: lifecycle beans have stopped; no DataSource is closed yet.
        dataSourceOpenAtDestroy = !((XatmDataSource) ds).isClosed();
        beforePause = tm.recovery().lastReport();
        Thread.sleep(500); // five background intervals
        afterPause = tm.recovery().lastReport();
      };
    }
  }

  private Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("xatm.node-id", "starter-unit");
    p.put("xatm.log.dir", logDir.toString());
    p.put("xatm.jmx.enabled", "false");
    p.put("xatm.runtime.install-default", "false");
    p.put("xatm.transaction.default-timeout", "7s");
    p.put("xatm.datasources.a.url", "jdbc:xa:h2:mem:starter_a;DB_CLOSE_DELAY=-1");
    p.put("xatm.datasources.a.username", "sa");
    p.put("xatm.datasources.b.url", "jdbc:h2:mem:starter_b;DB_CLOSE_DELAY=-1");
    p.put("xatm.datasources.b.username", "sa");
    p.put("xatm.datasources.b.password", "");
    p.put("xatm.datasources.b.primary", "true");
    p.put("xatm.datasources.b.max-size", "4");
    p.put("spring.main.banner-mode", "off");
    return p;
  }

  private static ConfigurableApplicationContext start(Map<String, String> p) {
    return new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .run(
            p.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new));
  }

  @Test
  void propertiesCreateTheTmTheJtaManagerAndOnePoolPerDataSourceKnownToRecovery() {
    try (ConfigurableApplicationContext ctx = start(properties())) {
      XatmTransactionManager tm = ctx.getBean(XatmTransactionManager.class);
      assertEquals("starter-unit", tm.nodeId());
      assertEquals(Duration.ofSeconds(7), tm.config().defaultTimeout());
      JtaTransactionManager jta = ctx.getBean(JtaTransactionManager.class);
      assertSame(tm, jta.getTransactionManager());
      assertSame(tm, jta.getTransactionSynchronizationRegistry());

      XatmDataSource a = assertInstanceOf(XatmDataSource.class, ctx.getBean("aDataSource"));
      XatmDataSource b = assertInstanceOf(XatmDataSource.class, ctx.getBean("bDataSource"));
      assertSame(b, ctx.getBean(DataSource.class), "b is primary");
      assertEquals(4, b.stats().maxPoolSize());
      assertFalse(a.isClosed());

      Map<String, String> r = tm.config().recovery();
      assertEquals("jdbc:xa:h2:mem:starter_a;DB_CLOSE_DELAY=-1", r.get(res("a", "url")));
      assertEquals("sa", r.get(res("a", "user")));
      assertEquals("", r.get(res("a", "password")), "a user without password: empty = none");
      assertEquals("jdbc:xa:h2:mem:starter_b;DB_CLOSE_DELAY=-1", r.get(res("b", "url")));
      // The TM is destroyed after each pool: Spring registered them as its dependents.
      assertTrue(
          Arrays.asList(ctx.getBeanFactory().getDependentBeans("xatmTransactionManager"))
              .containsAll(java.util.List.of("aDataSource", "bDataSource")));
    }
  }

  @Test
  void aRecoveryResourceTheUserConfiguredIsNotReplaced() {
    Map<String, String> p = properties();
    p.put(res("a", "url"), "jdbc:xa:h2:mem:elsewhere");
    try (ConfigurableApplicationContext ctx = start(p)) {
      Map<String, String> r = ctx.getBean(XatmTransactionManager.class).config().recovery();
      assertEquals("jdbc:xa:h2:mem:elsewhere", r.get(res("a", "url")));
      assertFalse(r.containsKey(res("a", "user")));
    }
  }

  @Test
  void backgroundRecoveryStopsBeforeTheDataSourcesCloseAndThePoolsCloseBeforeTheTm() {
    Map<String, String> p = properties();
    p.put("xatm.recovery.interval", "100ms");
    ConfigurableApplicationContext ctx = start(p);
    XatmDataSource a = ctx.getBean("aDataSource", XatmDataSource.class);
    ctx.close();
    assertTrue(App.dataSourceOpenAtDestroy, "the probe ran before the pools closed");
    assertSame(
        App.beforePause,
        App.afterPause,
        "a background recovery pass ran while the context was closing");
    assertTrue(a.isClosed());
  }

  @Test
  void aBadXatmValueFailsStartupNamingTheKey() {
    Map<String, String> p = properties();
    p.put("xatm.parallelism", "several");
    assertMessage(p, "xatm.parallelism = 'several' is invalid");
  }

  @Test
  void aDataSourceWithoutUrlFailsStartupNamingTheKey() {
    Map<String, String> p = properties();
    p.put("xatm.datasources.nourl.username", "sa");
    assertMessage(p, "xatm.datasources.nourl.url");
  }

  @Test
  void twoPrimaryDataSourcesFailStartup() {
    Map<String, String> p = properties();
    p.put("xatm.datasources.a.primary", "true");
    assertMessage(p, "only one DataSource may be primary");
  }

  @Test
  void anUnknownStartupRecoveryModeFailsStartupNamingTheKey() {
    Map<String, String> p = properties();
    p.put("xatm.spring.startup-recovery", "later");
    assertMessage(p, "xatm.spring.startup-recovery = 'later' is invalid");
  }

  @Test
  void aMisspelledKeyFailsStartupNamingTheNearestKey() {
    // Before issue 12 the first only warned, and Boot's binder silently dropped the other two.
    Map<String, String> p = properties();
    p.put("xatm.log.dri", "/tmp/elsewhere");
    assertMessage(p, "did you mean xatm.log.dir?");
    Map<String, String> q = properties();
    q.put("xatm.datasources.b.max-sise", "4");
    assertMessage(q, "did you mean xatm.datasources.b.max-size?");
    Map<String, String> r = properties();
    r.put("spring.datasource.xatm.aquire-timeout", "2s");
    assertMessage(r, "did you mean spring.datasource.xatm.acquire-timeout?");
  }

  @Test
  void aBadPoolValueOfSpringDatasourceNamesItsProperty() {
    Map<String, String> p = properties();
    p.put("spring.datasource.url", "jdbc:h2:mem:starter_boot;DB_CLOSE_DELAY=-1");
    p.put("spring.datasource.username", "sa");
    p.put("xatm.datasources.b.primary", "false");
    p.put("spring.datasource.xatm.max-size", "many");
    assertMessage(p, "spring.datasource.xatm.max-size = 'many' is invalid");
  }

  @Test
  void poolDurationsTakeXatmsSyntaxAndTheOldNameStillWorks() {
    Map<String, String> p = properties();
    p.put("xatm.datasources.b.acquire-timeout", "5000");
    assertMessage(
        p, "xatm.datasources.b.acquire-timeout = '5000' is invalid: a duration needs a unit");
    Map<String, String> q = properties();
    q.remove("xatm.datasources.b.max-size");
    q.put("xatm.datasources.b.max-pool-size", "3");
    q.put("xatm.datasources.b.acquireTimeout", "2s"); // Boot's relaxed form
    try (ConfigurableApplicationContext ctx = start(q)) {
      XatmDataSource b = ctx.getBean("bDataSource", XatmDataSource.class);
      assertEquals(3, b.stats().maxPoolSize());
    }
  }

  private static void assertMessage(Map<String, String> p, String expected) {
    Throwable t = assertThrows(Throwable.class, () -> start(p).close());
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
    }
    assertTrue(sb.toString().contains(expected), sb::toString);
  }

  private static String res(String name, String field) {
    return "xatm.recovery.resource." + name + "." + field;
  }
}
