package dev.xatm.spring.boot.metrics;

import dev.xatm.spring.boot.XatmAutoConfiguration;
import dev.xatm.tm.XatmTransactionManager;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The TM's metrics as a Micrometer {@link MeterBinder}, only when Micrometer is on the class path;
 * Boot (both lines) binds every {@code MeterBinder} bean to its registries.
 */
@AutoConfiguration(after = XatmAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(XatmTransactionManager.class)
public class XatmMetricsAutoConfiguration {
  /** Created by Spring Boot's auto-configuration, not by application code. */
  public XatmMetricsAutoConfiguration() {}

  /**
   * {@return the binder of the TM's meters}
   *
   * @param tm the transaction manager
   */
  @Bean
  @ConditionalOnMissingBean
  public XatmMeterBinder xatmMeterBinder(XatmTransactionManager tm) {
    return new XatmMeterBinder(tm);
  }
}
