package dev.xatm.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Settings from real configuration files, as Boot loads {@code application.yml} and {@code
 * application.properties} (audit gap 6 of issue 13; the other tests pass command-line arguments):
 * nested YAML keys, {@code ${}} placeholders with and without a default, and misspelled keys in a
 * YAML and a properties file that must stop the start naming the nearest key.
 */
class ConfigFileTest {
  @TempDir Path logDir;

  @SpringBootConfiguration
  @EnableAutoConfiguration(
      excludeName = "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration")
  static class App {}

  private ConfigurableApplicationContext start(String file) {
    return new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .run(
            "--spring.config.location=classpath:" + file,
            // What the file's ${config-test.log-dir} placeholder resolves to.
            "--config-test.log-dir=" + logDir);
  }

  @Test
  void nestedYamlKeysAndPlaceholdersReachTheTmAndTheDataSource() {
    try (ConfigurableApplicationContext ctx = start("xatm-config-test.yml")) {
      XatmTransactionManager tm = ctx.getBean(XatmTransactionManager.class);
      assertEquals("yaml-unit", tm.nodeId());
      assertEquals(logDir, tm.config().logDir(), "${config-test.log-dir}");
      assertEquals(3, tm.config().parallelism(), "${CONFIG_TEST_PARALLELISM:3}: the default");
      assertEquals(Duration.ofSeconds(9), tm.config().defaultTimeout());
      assertEquals("2s", tm.config().recovery().get("xatm.recovery.backoff.initial"));
      XatmDataSource ledger = ctx.getBean("ledgerDataSource", XatmDataSource.class);
      assertEquals(6, ledger.stats().maxPoolSize());
      assertEquals(
          "jdbc:xa:h2:mem:yaml_ledger;DB_CLOSE_DELAY=-1",
          tm.config().recovery().get("xatm.recovery.resource.ledger.url"));
    }
  }

  @Test
  void aMisspelledNestedYamlKeyStopsTheStartNamingTheNearestKey() {
    assertMessage("xatm-config-typo.yml", "xatm.log.dri", "did you mean xatm.log.dir?");
  }

  @Test
  void aMisspelledDataSourceSettingInAPropertiesFileStopsTheStartNamingTheNearest() {
    assertMessage(
        "xatm-config-typo.properties",
        "xatm.datasources.ledger.max-sise",
        "did you mean xatm.datasources.ledger.max-size?");
  }

  private void assertMessage(String file, String key, String expected) {
    Throwable t = assertThrows(Throwable.class, () -> start(file).close());
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
    }
    String m = sb.toString();
    assertTrue(m.contains(key) && m.contains(expected), m);
  }
}
