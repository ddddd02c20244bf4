package dev.xatm.spring.boot;

import dev.xatm.jdbc.PoolStats;
import dev.xatm.jdbc.RecoveryRecipe;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.recovery.RecoveryConfig;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import javax.sql.XADataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadata;
import org.springframework.boot.jdbc.metadata.DataSourcePoolMetadataProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * Spring Boot auto-configuration of xatm, for Boot 3.5, 4.0 and 4.1 from the same class: the
 * transaction manager (one object that is TM, UserTransaction and TSR), Spring's {@link
 * JtaTransactionManager} on it with Boot's {@code TransactionManagerCustomizers} applied, the
 * declared {@code jdbc:xa:} DataSources (see {@link XatmDataSourceRegistrar}), the startup recovery
 * lifecycle, and pool metadata for Boot's JDBC metrics.
 *
 * <p>Ordered before Boot's JTA, XA DataSource, DataSource, transaction and Hibernate
 * auto-configurations by class name, listing both lines' names (the packages moved in Boot 4), so
 * those back off: they create their beans only when missing.
 *
 * <p>The TM is built from the {@code xatm.*} properties of the Spring environment (the keys of
 * {@code xatm.properties}) plus one recovery resource per declared DataSource with its URL and
 * credentials, so the startup recovery pass right after a crash reaches every database before any
 * pool exists. It is closed when the context closes, after the DataSources.
 */
@AutoConfiguration(
    beforeName = {
      // Boot 3.5
      "org.springframework.boot.autoconfigure.transaction.jta.JtaAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.XADataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
      "org.springframework.boot.autoconfigure.jdbc.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.autoconfigure.transaction.TransactionAutoConfiguration",
      "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration",
      // Boot 4.0 and 4.1
      "org.springframework.boot.transaction.jta.autoconfigure.JtaAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.XADataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
      "org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration",
      "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration"
    })
@ConditionalOnClass({JtaTransactionManager.class, XatmTransactionManager.class})
@Import(XatmDataSourceRegistrar.class)
public class XatmAutoConfiguration {
  private static final System.Logger LOG = System.getLogger(XatmAutoConfiguration.class.getName());

  /** Created by Spring Boot's auto-configuration, not by application code. */
  public XatmAutoConfiguration() {}

  /**
   * The transaction manager. A bad {@code xatm.*} value fails startup with an {@code
   * XatmConfigException} naming the key and the value. Customizers run in {@code @Order} before it
   * starts; with {@code xatm.spring.startup-recovery=background} its startup pass is left to {@link
   * XatmStartupRecovery}.
   *
   * @param env the Spring environment, source of the {@code xatm.*} settings
   * @param declared the DataSources the starter creates, each added as a recovery resource
   * @param xaWrapper the starter's {@code XADataSourceWrapper}, when Boot's XA path is asked for:
   *     its DataSources are created first and added as recovery resources too
   * @param beanFactory the bean factory, to create Boot's XA DataSource beans early
   * @param customizers the {@link XatmTransactionManagerCustomizer} beans
   * @return the started transaction manager; the context closes it
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public XatmTransactionManager xatmTransactionManager(
      Environment env,
      DeclaredDataSources declared,
      ObjectProvider<XatmXaDataSourceWrapper> xaWrapper,
      ConfigurableListableBeanFactory beanFactory,
      ObjectProvider<XatmTransactionManagerCustomizer> customizers) {
    Map<String, String> props = XatmEnvironment.tmProperties(env);
    List<DeclaredDataSource> all = new ArrayList<>(declared.list());
    XatmXaDataSourceWrapper wrapper = xaWrapper.getIfAvailable();
    if (wrapper != null) {
      // Boot's XA path makes its vendor XADataSource inside its dataSource bean: make it now, so
      // its recipe is known before the startup pass.
      XatmXaDataSourceWrapper.createBootXaDataSources(beanFactory);
      all.addAll(wrapper.wrapped());
    }
    for (DeclaredDataSource d : all) {
      RecoveryRecipe r = d.addRecoveryResource(props);
      if (r == null) {
        LOG.log(
            Level.INFO,
            "xatm: "
                + d.prefix()
                + ".* is not added as recovery resource "
                + d.name()
                + ": "
                + d.recoveryPrefix()
                + "url is configured and wins");
      } else if (!r.leftOutParameters().isEmpty()) {
        // Recovery URLs are secret-free and recovery has no key for such a parameter: the startup
        // pass and later ones reconnect without it, as for the resource the pool logs.
        LOG.log(
            Level.WARNING,
            "xatm: recovery reconnects to "
                + d.prefix()
                + " ("
                + r.url()
                + ") without its URL parameter(s) "
                + r.leftOutParameters()
                + ", which look like secrets; if the database needs them to connect, recovery"
                + " reports it unreachable: configure the driver to find them elsewhere (a key"
                + " file, a service file) and drop them from the URL");
      }
    }
    StartupRecoveryMode mode = XatmEnvironment.startupRecoveryMode(env);
    if (mode == StartupRecoveryMode.BACKGROUND) {
      // XatmStartupRecovery runs the pass once the context starts.
      props.put(RecoveryConfig.STARTUP, "false");
    }
    XatmTransactionManager.Builder builder =
        XatmTransactionManager.builder(XatmConfig.fromMergedSettings(props));
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.start();
  }

  /**
   * {@return the lifecycle bean that runs or reports the startup recovery pass}
   *
   * @param env the Spring environment
   * @param tm the transaction manager
   */
  @Bean
  @ConditionalOnMissingBean
  public XatmStartupRecovery xatmStartupRecovery(Environment env, XatmTransactionManager tm) {
    String startup = XatmEnvironment.tmProperties(env).get(RecoveryConfig.STARTUP);
    boolean startupPass = startup == null || !startup.trim().equalsIgnoreCase("false");
    return new XatmStartupRecovery(tm, XatmEnvironment.startupRecoveryMode(env), startupPass);
  }

  /**
   * Warns about DataSource beans that are not xatm pools (they would not enlist).
   *
   * @param beanFactory where the DataSource singletons are looked up
   * @return the check, run once every singleton exists
   */
  @Bean
  @ConditionalOnMissingBean
  public static NonXatmDataSourceWarning xatmNonXatmDataSourceWarning(
      ConfigurableListableBeanFactory beanFactory) {
    return new NonXatmDataSourceWarning(beanFactory);
  }

  /**
   * Spring's JTA transaction manager, given all three roles of the xatm bean (no JNDI lookup), with
   * Boot's customizers applied ({@code spring.transaction.default-timeout}, {@code
   * rollback-on-commit-failure}, transaction execution listeners).
   *
   * @param tm the xatm transaction manager
   * @param bootCustomizers Boot's customizers, whichever Boot line is present
   * @return the Spring transaction manager
   */
  @Bean
  @ConditionalOnMissingBean(TransactionManager.class)
  public JtaTransactionManager transactionManager(
      XatmTransactionManager tm, ObjectProvider<BootCustomizers> bootCustomizers) {
    JtaTransactionManager jta = new JtaTransactionManager(tm, tm);
    jta.setTransactionSynchronizationRegistry(tm);
    jta.afterPropertiesSet();
    bootCustomizers.orderedStream().forEach(c -> c.customize(jta));
    return jta;
  }

  /** Boot's {@code TransactionManagerCustomizers}, whichever line's class is present. */
  @FunctionalInterface
  public interface BootCustomizers {
    /**
     * Applies Boot's customizers to the Spring transaction manager.
     *
     * @param transactionManager the {@link JtaTransactionManager} bean
     */
    void customize(TransactionManager transactionManager);
  }

  /** Boot 3.5: {@code org.springframework.boot.autoconfigure.transaction}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.boot.autoconfigure.transaction.TransactionManagerCustomizers")
  static class Boot3Customizers {
    @Bean
    BootCustomizers xatmBoot3TransactionManagerCustomizers(
        ObjectProvider<
                org.springframework.boot.autoconfigure.transaction.TransactionManagerCustomizers>
            customizers) {
      return tm -> customizers.ifAvailable(c -> c.customize(tm));
    }
  }

  /**
   * Boot 4: {@code org.springframework.boot.transaction.autoconfigure} (spring-boot-transaction).
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = "org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizers")
  static class Boot4Customizers {
    @Bean
    BootCustomizers xatmBoot4TransactionManagerCustomizers(
        ObjectProvider<
                org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizers>
            customizers) {
      return tm -> customizers.ifAvailable(c -> c.customize(tm));
    }
  }

  /**
   * Boot's XA path ({@code spring.datasource.xa.*} or an application XADataSource bean) pooled by
   * xatm; the class is in {@code org.springframework.boot.jdbc} on both lines.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.jdbc.XADataSourceWrapper")
  @Conditional(XaPathRequested.class)
  static class XaDataSourceWrapper {
    @Bean
    @ConditionalOnMissingBean(org.springframework.boot.jdbc.XADataSourceWrapper.class)
    XatmXaDataSourceWrapper xatmXaDataSourceWrapper(
        ObjectProvider<XatmTransactionManager> tm,
        ObjectProvider<XADataSource> applicationBeans,
        Environment env) {
      return new XatmXaDataSourceWrapper(tm, applicationBeans, env);
    }
  }

  /**
   * Boot's XA path is asked for: a {@code spring.datasource.xa.data-source-class-name} or an
   * application XADataSource bean. Without either, no wrapper exists and Boot's XA
   * auto-configuration stays off, so an application with no DataSource declared keeps Boot's
   * default (an embedded database, or Boot's "no url" failure) instead of an XA DataSource Boot
   * would guess.
   */
  static class XaPathRequested extends AnyNestedCondition {
    XaPathRequested() {
      super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnProperty(name = "spring.datasource.xa.data-source-class-name")
    static class ClassName {}

    @ConditionalOnBean(XADataSource.class)
    static class ApplicationBean {}
  }

  /** Pool metadata of xatm's pool for Boot's DataSource metrics and health (same class on both). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(DataSourcePoolMetadataProvider.class)
  static class PoolMetadata {
    /** By name: Boot's own providers (Hikari, DBCP2, ...) are beans of the same type. */
    @Bean
    @ConditionalOnMissingBean(name = "xatmDataSourcePoolMetadataProvider")
    DataSourcePoolMetadataProvider xatmDataSourcePoolMetadataProvider() {
      return XatmAutoConfiguration::poolMetadata;
    }
  }

  static DataSourcePoolMetadata poolMetadata(DataSource ds) {
    XatmDataSource x;
    try {
      if (!ds.isWrapperFor(XatmDataSource.class)) {
        return null;
      }
      x = ds.unwrap(XatmDataSource.class);
    } catch (SQLException e) {
      return null;
    }
    return new DataSourcePoolMetadata() {
      @Override
      public Float getUsage() {
        PoolStats s = x.stats();
        return s.maxPoolSize() <= 0 ? null : (float) s.active() / s.maxPoolSize();
      }

      @Override
      public Integer getActive() {
        return x.stats().active();
      }

      @Override
      public Integer getIdle() {
        return x.stats().idle();
      }

      @Override
      public Integer getMax() {
        return x.stats().maxPoolSize();
      }

      @Override
      public Integer getMin() {
        return 0; // the pool opens connections on demand and keeps no minimum
      }

      @Override
      public String getValidationQuery() {
        return null; // validated with Connection.isValid
      }

      @Override
      public Boolean getDefaultAutoCommit() {
        return true; // outside a transaction; inside one the XA branch decides
      }
    };
  }
}
