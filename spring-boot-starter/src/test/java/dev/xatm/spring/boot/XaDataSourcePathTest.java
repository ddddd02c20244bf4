package dev.xatm.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Boot's XA path ({@code spring.datasource.xa.*}, Boot's {@code XADataSourceAutoConfiguration}) on
 * Boot 3.5 with the starter's {@code XADataSourceWrapper}: what the pool and recovery get. The
 * databases are never connected here; {@code it-boot}'s {@code BootXaDataSourceIT} uses real ones
 * on both lines.
 */
class XaDataSourcePathTest {
  @TempDir Path logDir;

  @SpringBootConfiguration
  @EnableAutoConfiguration(
      excludeName = "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration")
  static class App {}

  private Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("xatm.node-id", "starter-xa");
    p.put("xatm.log.dir", logDir.toString());
    p.put("xatm.jmx.enabled", "false");
    p.put("xatm.runtime.install-default", "false");
    p.put("xatm.recovery.startup", "false"); // db.invalid: only the recipe is checked
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
  void springDatasourceXaGivesAnXatmPoolOnBootsPgXaDataSourceKnownToRecovery() {
    Map<String, String> p = properties();
    p.put("spring.datasource.xa.data-source-class-name", "org.postgresql.xa.PGXADataSource");
    p.put("spring.datasource.xa.properties.url", "jdbc:postgresql://db.invalid:5432/bank");
    p.put("spring.datasource.xa.properties.connect-timeout", "3");
    p.put("spring.datasource.username", "app");
    p.put("spring.datasource.password", "s3cret");
    p.put("spring.datasource.xatm.max-size", "3");
    try (ConfigurableApplicationContext ctx = start(p)) {
      DataSource ds = ctx.getBean("dataSource", DataSource.class);
      XatmDataSource xatm = assertInstanceOf(XatmDataSource.class, ds, "pooled by xatm");
      assertEquals(3, xatm.stats().maxPoolSize());
      String recipe = "jdbc:xa:postgresql://db.invalid:5432/bank?connectTimeout=3";
      assertEquals("app@" + recipe, xatm.descriptor().resourceId());
      XatmTransactionManager tm = ctx.getBean(XatmTransactionManager.class);
      Map<String, String> r = tm.config().recovery();
      assertEquals(recipe, r.get("xatm.recovery.resource.dataSource.url"));
      assertEquals("app", r.get("xatm.recovery.resource.dataSource.user"));
      assertEquals("s3cret", r.get("xatm.recovery.resource.dataSource.password"));
      assertTrue(
          Arrays.asList(ctx.getBeanFactory().getDependentBeans("xatmTransactionManager"))
              .contains("dataSource"),
          "the pool is destroyed before the TM");
      assertFalse(xatm.toString().contains("s3cret"));
    }
  }

  @Test
  void anXaDataSourceClassWhoseUrlXatmCannotReadFailsStartupNamingItAndTheFix() {
    Map<String, String> p = properties();
    p.put("spring.datasource.xa.data-source-class-name", "org.h2.jdbcx.JdbcDataSource");
    p.put("spring.datasource.xa.properties.url", "jdbc:h2:mem:xa_refused");
    p.put("spring.datasource.username", "sa");
    Throwable t = assertThrows(Throwable.class, () -> start(p).close());
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
    }
    String m = sb.toString();
    assertTrue(
        m.contains("spring.datasource.xa.data-source-class-name org.h2.jdbcx.JdbcDataSource"), m);
    assertTrue(m.contains("spring.datasource.url=jdbc:xa:<vendor-url>"), m);
  }

  @Test
  void withoutAnyXaSettingBootsXaPathStaysOffAndBootsDefaultsApply() {
    // No DataSource declared at all: Boot's embedded database, as without the starter; the
    // wrapper must not make Boot guess an XA DataSource for it.
    try (ConfigurableApplicationContext ctx = start(properties())) {
      assertTrue(
          ctx.getBeansOfType(org.springframework.boot.jdbc.XADataSourceWrapper.class).isEmpty());
      assertFalse(ctx.getBean(DataSource.class) instanceof XatmDataSource);
    }
  }
}
