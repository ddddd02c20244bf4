package dev.xatm.it.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.boot.single.LedgerApplication;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.spring.boot.XatmStartupRecovery;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryResult;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Boot's own XA path: {@code spring.datasource.xa.data-source-class-name} with {@code
 * spring.datasource.xa.properties.*} and no {@code spring.datasource.url}. Boot's {@code
 * XADataSourceAutoConfiguration} creates the vendor XADataSource (pgjdbc's {@code PGXADataSource},
 * MariaDB Connector/J's {@code MariaDbDataSource}) and hands it to the starter's {@code
 * XADataSourceWrapper}: the {@code dataSource} bean must be an enlisting xatm pool that Boot's JPA
 * unit joins JTA through, and recovery must know the database from the start. Before the wrapper,
 * these properties gave no xatm pool at all.
 */
class BootXaDataSourceIT {
  @TempDir Path logDir;

  private Map<String, String> properties(String node, String xaClass, String url) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("xatm.node-id", node);
    p.put("xatm.log.dir", logDir.toString());
    p.put("spring.datasource.xa.data-source-class-name", xaClass);
    p.put("spring.datasource.xa.properties.url", url);
    // Without spring.datasource.url, Boot's XA path asks for an embedded database's URL when no
    // password is given (DataSourceProperties.determinePassword) and fails: the servers of the
    // tests take none, so it is given empty.
    p.put("spring.datasource.xa.properties.password", "");
    p.put("spring.datasource.xatm.max-size", "3");
    p.put("spring.main.banner-mode", "off");
    // The sample's application.properties is on the class path: the tests give every property.
    p.put("spring.config.name", "xatm-it-boot-none");
    p.put("spring.jpa.open-in-view", "false");
    return p;
  }

  @Test
  void pgXaDataSourceOfBootsXaPropertiesIsAnEnlistingXatmPoolKnownToRecovery() throws Exception {
    String db = "xatm_boot" + Servers.tag() + "_xa";
    Servers.recreatePg(db);
    String admin = Servers.pgUrl(db);
    Servers.execute(admin, "create table entry(id varchar(32) primary key, amount bigint not null)");
    String url = "jdbc:postgresql://" + Servers.pgHostPort() + "/" + db;
    Map<String, String> p =
        properties("boot" + Servers.tag() + "-xa-pg", "org.postgresql.xa.PGXADataSource", url);
    p.put("spring.datasource.username", "postgres"); // Boot binds it as the XADataSource's user
    run(p, "jdbc:xa:postgresql://" + Servers.pgHostPort() + "/" + db, "postgres", admin);
    assertEquals(List.of(), Servers.pgPrepared(db));
  }

  @Test
  void mariaDbDataSourceOfBootsXaPropertiesIsAnEnlistingXatmPoolKnownToRecovery()
      throws Exception {
    String db = "xatm_boot" + Servers.tag() + "_xa";
    String node = "boot" + Servers.tag() + "-xa-maria";
    Servers.recreateMaria(db, node);
    String admin = Servers.mariaUrl(db);
    Servers.execute(admin, "create table entry(id varchar(32) primary key, amount bigint not null)");
    String url = "jdbc:mariadb://" + Servers.mariaHostPort() + "/" + db;
    // MariaDB Connector/J reports its URL without the default port.
    String recipe = "jdbc:xa:" + url.substring("jdbc:".length()).replace(":3306/", "/");
    Map<String, String> p = properties(node, "org.mariadb.jdbc.MariaDbDataSource", url);
    p.put("spring.datasource.xa.properties.user", "root"); // the vendor's own property this time
    run(p, recipe, "root", admin);
    assertEquals(List.of(), Servers.mariaPrepared(node));
  }

  private void run(Map<String, String> p, String recipe, String user, String adminUrl)
      throws Exception {
    try (ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(LedgerApplication.class)
            .web(WebApplicationType.NONE)
            .run(BankRig.asArgs(p))) {
      XatmDataSource ds = assertInstanceOf(XatmDataSource.class, ctx.getBean("dataSource"));
      assertEquals(3, ds.stats().maxPoolSize(), "spring.datasource.xatm.* applies");
      assertEquals(user + "@" + recipe, ds.descriptor().resourceId());

      XatmTransactionManager tm = ctx.getBean(XatmTransactionManager.class);
      Map<String, String> r = tm.config().recovery();
      assertEquals(recipe, r.get("xatm.recovery.resource.dataSource.url"));
      assertEquals(user, r.get("xatm.recovery.resource.dataSource.user"));
      // The startup pass ran with the resource configured and reached it: an unreachable
      // configured resource is a line of its own.
      RecoveryReport startup = ctx.getBean(XatmStartupRecovery.class).report();
      assertNotNull(startup);
      assertEquals(0, startup.count(RecoveryResult.UNREACHABLE), startup::toString);
      assertFalse(startup.unresolved(), startup::toString);

      LedgerApplication.Ledger ledger = ctx.getBean(LedgerApplication.Ledger.class);
      assertEquals(1, ledger.book("kept", 5, false), "one XA branch inside the transaction");
      assertThrows(IllegalArgumentException.class, () -> ledger.book("dropped", 6, true));
      assertEquals(1, Servers.queryLong(adminUrl, "select count(*) from entry where id = 'kept'"));
      assertEquals(
          0,
          Servers.queryLong(adminUrl, "select count(*) from entry where id = 'dropped'"),
          "the flushed insert was rolled back with the JTA transaction");
      assertEquals(0, ds.openBranches());
      assertTrue(ds.stats().idle() + ds.stats().active() <= 3);
    }
  }
}
