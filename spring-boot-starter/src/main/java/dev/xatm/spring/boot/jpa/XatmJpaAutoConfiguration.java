package dev.xatm.spring.boot.jpa;

import dev.xatm.spring.boot.XatmAutoConfiguration;
import dev.xatm.tm.XatmTransactionManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * JPA over xatm DataSources joins the JTA transaction without user glue (see {@link
 * XatmEntityManagerFactoryPostProcessor}); only when Spring ORM is on the class path. The class is
 * the same on Boot 3 and 4, so the condition names it directly.
 */
@AutoConfiguration(
    after = XatmAutoConfiguration.class,
    beforeName = {
      "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration",
      "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration"
    })
@ConditionalOnClass(LocalContainerEntityManagerFactoryBean.class)
public class XatmJpaAutoConfiguration {
  /** Created by Spring Boot's auto-configuration, not by application code. */
  public XatmJpaAutoConfiguration() {}

  /**
   * {@return the post-processor that makes units over xatm DataSources JTA ones} Static: a
   * BeanPostProcessor must not pull its configuration class in early.
   *
   * @param tm the transaction manager, resolved lazily
   */
  @Bean
  @ConditionalOnMissingBean
  public static XatmEntityManagerFactoryPostProcessor xatmEntityManagerFactoryPostProcessor(
      ObjectProvider<XatmTransactionManager> tm) {
    return new XatmEntityManagerFactoryPostProcessor(tm);
  }
}
