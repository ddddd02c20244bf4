package dev.xatm.it.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.boot.single.LedgerApplication;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Boot's own path: {@code spring.datasource.url} with a plain vendor URL gives an xatm pool, and
 * Boot's JPA auto-configuration (its {@code HibernateJpaConfiguration}) builds a JTA persistence
 * unit over it. Also: a bad value fails startup naming the key.
 */
class BootSingleDataSourceIT {
  @TempDir Path logDir;

  private Map<String, String> properties(String db) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("xatm.node-id", "boot" + Servers.tag() + "-single");
    p.put("xatm.log.dir", logDir.toString());
    p.put("spring.datasource.url", "jdbc:postgresql://" + Servers.pgHostPort() + "/" + db);
    p.put("spring.datasource.username", "postgres");
    p.put("spring.datasource.xatm.max-size", "3");
    p.put("spring.main.banner-mode", "off");
    // The sample's application.properties is on the class path: the tests give every property.
    p.put("spring.config.name", "xatm-it-boot-none");
    p.put("spring.jpa.open-in-view", "false");
    return p;
  }

  private static ConfigurableApplicationContext start(Map<String, String> p) {
    return new SpringApplicationBuilder(LedgerApplication.class)
        .web(WebApplicationType.NONE)
        .run(BankRig.asArgs(p));
  }

  @Test
  void springDatasourceUrlGivesAnEnlistingPoolAndBootsJpaJoinsJta() throws Exception {
    String db = "xatm_boot" + Servers.tag() + "_single";
    Servers.recreatePg(db);
    String url = Servers.pgUrl(db);
    Servers.execute(url, "create table entry(id varchar(32) primary key, amount bigint not null)");
    try (ConfigurableApplicationContext ctx = start(properties(db))) {
      DataSource ds = ctx.getBean("dataSource", DataSource.class);
      XatmDataSource xatm = assertInstanceOf(XatmDataSource.class, ds);
      assertEquals(3, xatm.stats().maxPoolSize());
      assertEquals(
          "jdbc:xa:postgresql://" + Servers.pgHostPort() + "/" + db,
          ctx.getBean(XatmTransactionManager.class)
              .config()
              .recovery()
              .get("xatm.recovery.resource.dataSource.url"));

      // The unit Boot builds keeps Boot's own JTA platform on the same JtaTransactionManager:
      // SpringJtaPlatform set as a property up to 4.0; from 4.1 Boot hands the manager to
      // HibernateJpaVendorAdapter.setJtaTransactionManager, which sets Spring's
      // ConfigurableJtaPlatform. The starter's platform is only for units without one.
      String platform = jtaPlatform(ctx.getBean(jakarta.persistence.EntityManagerFactory.class));
      String expected =
          Servers.line().equals("4.1") ? "ConfigurableJtaPlatform" : "SpringJtaPlatform";
      assertEquals(expected, platform.substring(platform.lastIndexOf('.') + 1), platform);

      LedgerApplication.Ledger ledger = ctx.getBean(LedgerApplication.Ledger.class);
      assertEquals(1, ledger.book("kept", 5, false), "one XA branch inside the transaction");
      assertThrows(IllegalArgumentException.class, () -> ledger.book("dropped", 6, true));
      assertEquals(1, Servers.queryLong(url, "select count(*) from entry where id = 'kept'"));
      assertEquals(
          0,
          Servers.queryLong(url, "select count(*) from entry where id = 'dropped'"),
          "the flushed insert was rolled back with the JTA transaction");
      assertEquals(0, xatm.openBranches());
    }
    assertEquals(List.of(), Servers.pgPrepared(db));
  }

  @Test
  void aBadXatmValueFailsStartupNamingTheKey() {
    Map<String, String> p = properties("not_needed");
    // Every xatm DataSource needs the TM, so the TM is built (and fails) before any connection.
    p.put("xatm.log.segment-size", "lots");
    Throwable t = assertThrows(Throwable.class, () -> start(p).close());
    assertTrue(messages(t).contains("xatm.log.segment-size = 'lots' is invalid"), () -> messages(t));
  }

  @Test
  void aBadPoolValueFailsStartupNamingTheKey() {
    Map<String, String> p = properties("not_needed");
    p.put("spring.datasource.xatm.max-size", "many");
    Throwable t = assertThrows(Throwable.class, () -> start(p).close());
    assertTrue(messages(t).contains("spring.datasource.xatm.max-size = 'many' is invalid"), () -> messages(t));
  }

  /** The class of the JtaPlatform service of a Hibernate persistence unit. */
  static String jtaPlatform(jakarta.persistence.EntityManagerFactory emf) {
    return emf.unwrap(org.hibernate.engine.spi.SessionFactoryImplementor.class)
        .getServiceRegistry()
        .getService(org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform.class)
        .getClass()
        .getName();
  }

  private static String messages(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
    }
    return sb.toString();
  }
}
