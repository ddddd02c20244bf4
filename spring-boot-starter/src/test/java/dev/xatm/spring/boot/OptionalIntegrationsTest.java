package dev.xatm.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.xatm.spring.boot.health.XatmBoot3HealthAutoConfiguration;
import dev.xatm.spring.boot.health.XatmBoot4HealthAutoConfiguration;
import dev.xatm.spring.boot.jpa.XatmJpaAutoConfiguration;
import dev.xatm.spring.boot.metrics.XatmMetricsAutoConfiguration;
import dev.xatm.tm.XatmTransactionManager;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * The starter's optional parts (audit gap 5 of issue 13): the {@code MeterBinder} only with
 * Micrometer on the class path, the health indicator only with the actuator's health API, and in
 * either case the rest of the context starts (the classes that name Micrometer or the actuator are
 * never loaded). Boot 3.5's class path; the Boot 4 health auto-configuration stays off on it.
 */
class OptionalIntegrationsTest {
  @TempDir Path logDir;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                XatmAutoConfiguration.class,
                XatmJpaAutoConfiguration.class,
                XatmBoot3HealthAutoConfiguration.class,
                XatmBoot4HealthAutoConfiguration.class,
                XatmMetricsAutoConfiguration.class))
        .withPropertyValues(
            "xatm.node-id=optional-unit",
            "xatm.log.dir=" + logDir,
            "xatm.jmx.enabled=false",
            "xatm.runtime.install-default=false");
  }

  @Test
  void withMicrometerAndTheActuatorBothAreThere() {
    runner()
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).hasBean("xatmMeterBinder");
              assertThat(ctx).hasBean("xatmHealthIndicator");
            });
  }

  @Test
  void withoutMicrometerThereIsNoMeterBinderAndTheContextStarts() {
    runner()
        .withClassLoader(new FilteredClassLoader(MeterBinder.class))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean("xatmMeterBinder");
              assertThat(ctx).hasSingleBean(XatmTransactionManager.class);
              assertThat(ctx).hasSingleBean(JtaTransactionManager.class);
              assertThat(ctx).hasBean("xatmHealthIndicator");
            });
  }

  @Test
  void withoutTheActuatorThereIsNoHealthIndicatorAndTheContextStarts() {
    runner()
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.health"))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean("xatmHealthIndicator");
              assertThat(ctx).hasSingleBean(XatmTransactionManager.class);
              assertThat(ctx).hasBean("xatmMeterBinder");
            });
  }

  @Test
  void withNeitherTheTransactionManagerStillStarts() {
    runner()
        .withClassLoader(
            new FilteredClassLoader(
                "io.micrometer", "org.springframework.boot.actuate", "org.hibernate"))
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx).doesNotHaveBean("xatmMeterBinder");
              assertThat(ctx).doesNotHaveBean("xatmHealthIndicator");
              assertThat(ctx).hasSingleBean(XatmTransactionManager.class);
              assertThat(ctx).hasSingleBean(XatmStartupRecovery.class);
            });
  }
}
