package dev.xatm.spring.boot.health;

import dev.xatm.spring.boot.XatmAutoConfiguration;
import dev.xatm.spring.boot.XatmStartupRecovery;
import dev.xatm.tm.XatmTransactionManager;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The {@code xatm} health indicator on Boot 3 ({@code org.springframework.boot.actuate.health}).
 * The condition is by class name: on Boot 4 that package is absent and this class is never loaded.
 */
@AutoConfiguration(after = XatmAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnBean(XatmTransactionManager.class)
@ConditionalOnProperty(name = "management.health.xatm.enabled", matchIfMissing = true)
public class XatmBoot3HealthAutoConfiguration {
  /** Created by Spring Boot's auto-configuration, not by application code. */
  public XatmBoot3HealthAutoConfiguration() {}

  /**
   * {@return the {@code xatm} health indicator, which runs {@link XatmHealthCheck} on every call}
   *
   * @param tm the transaction manager
   * @param startup where the startup recovery pass stands
   */
  @Bean
  @ConditionalOnMissingBean(name = "xatmHealthIndicator")
  public HealthIndicator xatmHealthIndicator(
      XatmTransactionManager tm, XatmStartupRecovery startup) {
    XatmHealthCheck check = new XatmHealthCheck(tm, startup);
    return () -> {
      XatmHealthCheck.Result r = check.check();
      return Health.status(new Status(r.status())).withDetails(r.details()).build();
    };
  }
}
