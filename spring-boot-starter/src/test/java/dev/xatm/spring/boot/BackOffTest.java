package dev.xatm.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xatm.spring.boot.jpa.XatmEntityManagerFactoryPostProcessor;
import dev.xatm.spring.boot.jpa.XatmJpaAutoConfiguration;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * "Every bean backs off when the application defines its own" (docs/spring-boot.md; audit gap 11 of
 * issue 13): the two beans that had no condition, the pool metadata provider and the JPA
 * post-processor. Boot refuses to override a bean definition, so without the conditions these
 * contexts fail to start.
 */
class BackOffTest {
  @TempDir Path logDir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(XatmAutoConfiguration.class, XatmJpaAutoConfiguration.class))
        .withPropertyValues(
            "xatm.node-id=backoff-unit",
            "xatm.log.dir=" + logDir,
            "xatm.jmx.enabled=false",
            "xatm.runtime.install-default=false");
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final DataSourcePoolMetadataProvider OWN_PROVIDER = ds -> null;

    @Bean
    DataSourcePoolMetadataProvider xatmDataSourcePoolMetadataProvider() {
      return OWN_PROVIDER;
    }

    @Bean
    static XatmEntityManagerFactoryPostProcessor ownPostProcessor(
        ObjectProvider<XatmTransactionManager> tm) {
      return new XatmEntityManagerFactoryPostProcessor(tm);
    }
  }

  @Test
  void theApplicationsPoolMetadataProviderAndPostProcessorWin() {
    runner()
        .withUserConfiguration(OwnBeans.class)
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean("xatmDataSourcePoolMetadataProvider"))
                  .isSameAs(OwnBeans.OWN_PROVIDER);
              assertThat(ctx).hasSingleBean(XatmEntityManagerFactoryPostProcessor.class);
              assertThat(ctx).hasBean("ownPostProcessor");
            });
  }

  @Test
  void withoutThemTheStartersAreThere() {
    runner()
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasBean("xatmDataSourcePoolMetadataProvider");
              assertThat(ctx).hasBean("xatmEntityManagerFactoryPostProcessor");
            });
  }
}
