package dev.xatm.spring.boot.jpa;

import dev.xatm.hibernate.XatmJtaPlatform;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.orm.jpa.JpaVendorAdapter;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.util.ClassUtils;

/**
 * Makes every JPA persistence unit over an xatm DataSource a JTA one, whoever built it: Boot's own
 * unit, one built with Boot's {@code EntityManagerFactoryBuilder} without {@code .jta(true)}, or a
 * hand-made {@link LocalContainerEntityManagerFactoryBean}. Before the factory bean initializes,
 * its DataSource becomes the unit's JTA DataSource (so the unit's transaction type is JTA), and
 * with Hibernate a {@link XatmJtaPlatform} (xatm-hibernate's, on this TM) is set when no {@code
 * hibernate.transaction.jta.platform} is. Without this, a unit over an xatm DataSource would be
 * RESOURCE_LOCAL and Hibernate would try to commit connections that belong to a JTA transaction.
 *
 * <p>Stateless; thread-safe.
 */
public final class XatmEntityManagerFactoryPostProcessor implements BeanPostProcessor {
  static final String JTA_PLATFORM = "hibernate.transaction.jta.platform";
  private static final boolean HIBERNATE =
      ClassUtils.isPresent(
          "org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform",
          XatmEntityManagerFactoryPostProcessor.class.getClassLoader());

  private final ObjectProvider<XatmTransactionManager> tm;

  /**
   * Creates the post-processor.
   *
   * @param tm the transaction manager, looked up only when a unit over an xatm DataSource needs a
   *     platform (a BeanPostProcessor must not create it early)
   */
  public XatmEntityManagerFactoryPostProcessor(ObjectProvider<XatmTransactionManager> tm) {
    this.tm = tm;
  }

  @Override
  public Object postProcessBeforeInitialization(Object bean, String beanName) {
    if (bean instanceof LocalContainerEntityManagerFactoryBean emf && isXatm(emf.getDataSource())) {
      emf.setJtaDataSource(emf.getDataSource());
      if (HIBERNATE && !hasPlatform(emf)) {
        emf.getJpaPropertyMap().put(JTA_PLATFORM, new XatmJtaPlatform(tm.getObject()));
      }
    }
    return bean;
  }

  /**
   * Whether the unit has a JTA platform already: in its own properties (Boot up to 4.0 sets its
   * {@code SpringJtaPlatform} there), or from its vendor adapter, whose properties the factory bean
   * adds later without overriding its own (Boot 4.1 calls {@code
   * HibernateJpaVendorAdapter.setJtaTransactionManager}, which makes Spring's {@code
   * ConfigurableJtaPlatform}); setting ours then would replace Boot's choice.
   */
  private static boolean hasPlatform(LocalContainerEntityManagerFactoryBean emf) {
    if (emf.getJpaPropertyMap().containsKey(JTA_PLATFORM)) {
      return true;
    }
    JpaVendorAdapter vendor = emf.getJpaVendorAdapter();
    return vendor != null && vendor.getJpaPropertyMap().containsKey(JTA_PLATFORM);
  }

  private static boolean isXatm(DataSource ds) {
    if (ds == null) {
      return false;
    }
    try {
      return ds.isWrapperFor(XatmDataSource.class);
    } catch (SQLException e) {
      return false;
    }
  }
}
