package dev.xatm.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A DataSource bean that is not an xatm pool, next to the JTA manager, does not enlist: its work is
 * outside the two-phase commit, silently (audit gap 14 of issue 13). The starter now says so at
 * startup, naming the bean and what to write instead.
 */
class NonXatmDataSourceWarningTest {
  @TempDir Path logDir;

  @Configuration(proxyBeanMethods = false)
  static class OwnDataSource {
    @Bean
    DataSource legacyDataSource() {
      org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
      ds.setURL("jdbc:h2:mem:legacy_unit");
      return ds;
    }
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(XatmAutoConfiguration.class))
        .withPropertyValues(
            "xatm.node-id=warning-unit",
            "xatm.log.dir=" + logDir,
            "xatm.jmx.enabled=false",
            "xatm.runtime.install-default=false");
  }

  @Test
  void aPlainDataSourceBeanBesideTheJtaManagerIsNamedInAWarning() {
    LogCapture log = new LogCapture().start();
    try {
      runner()
          .withUserConfiguration(OwnDataSource.class)
          .withPropertyValues(
              "xatm.datasources.ok.url=jdbc:xa:h2:mem:warning_ok",
              "xatm.datasources.ok.username=sa")
          .run(ctx -> assertThat(ctx).hasNotFailed());
    } finally {
      log.close();
    }
    assertThat(log.text())
        .contains("WARNING")
        .contains("'legacyDataSource'")
        .contains("org.h2.jdbcx.JdbcDataSource")
        .contains("do not enlist")
        .doesNotContain("'okDataSource'");
  }

  @Test
  void onlyXatmPoolsNoWarning() {
    LogCapture log = new LogCapture().start();
    try {
      runner()
          .withPropertyValues(
              "xatm.datasources.ok.url=jdbc:xa:h2:mem:warning_ok2",
              "xatm.datasources.ok.username=sa")
          .run(ctx -> assertThat(ctx).hasNotFailed().hasBean("okDataSource"));
    } finally {
      log.close();
    }
    assertThat(log.text()).doesNotContain("do not enlist");
  }
}
