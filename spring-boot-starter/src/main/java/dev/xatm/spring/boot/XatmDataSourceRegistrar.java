package dev.xatm.spring.boot;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import javax.sql.XADataSource;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers one {@link XatmDataSource} bean per declared DataSource ({@code spring.datasource.url}
 * as {@code dataSource}, {@code xatm.datasources.<name>} as {@code <name>DataSource}) while the
 * configuration is read, before Boot's DataSource and JPA auto-configurations decide whether to
 * create their own (they back off when a DataSource exists, and JPA uses the primary one).
 *
 * <p>Each bean is built with the xatm TM, is destroyed before it (a registered dependency), and is
 * closed with {@code close()}. {@code spring.datasource.*} is left to the application when it
 * defines a DataSource bean itself; a named one is skipped when a bean of that name exists.
 *
 * <p>Used once by the context's thread during configuration parsing.
 */
public final class XatmDataSourceRegistrar
    implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {
  /** Bean name of the {@link DeclaredDataSources}. */
  public static final String DECLARATIONS_BEAN = "xatmDeclaredDataSources";

  private static final System.Logger LOG =
      System.getLogger(XatmDataSourceRegistrar.class.getName());

  private Environment environment;
  private BeanFactory beanFactory;

  /** Created by Spring through {@code @Import} on {@link XatmAutoConfiguration}. */
  public XatmDataSourceRegistrar() {}

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = environment;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public void registerBeanDefinitions(
      AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
    // An application XADataSource bean is Boot's XA path (XatmXaDataSourceWrapper pools it), so
    // spring.datasource.url does not make a second DataSource beside it.
    boolean appHasDataSource =
        beanFactory instanceof ListableBeanFactory lbf
            && (lbf.getBeanNamesForType(DataSource.class, true, false).length > 0
                || lbf.getBeanNamesForType(XADataSource.class, true, false).length > 0);
    List<DeclaredDataSource> created = new ArrayList<>();
    for (DeclaredDataSource d : XatmEnvironment.dataSources(environment, !appHasDataSource)) {
      if (registry.containsBeanDefinition(d.beanName())) {
        LOG.log(
            Level.INFO,
            "xatm: a bean named "
                + d.beanName()
                + " exists; "
                + d.prefix()
                + ".* does not create one");
        continue;
      }
      RootBeanDefinition def = new RootBeanDefinition(XatmDataSource.class, () -> build(d));
      def.setPrimary(d.primary());
      def.setDestroyMethodName("close");
      registry.registerBeanDefinition(d.beanName(), def);
      created.add(d);
    }
    if (!registry.containsBeanDefinition(DECLARATIONS_BEAN)) {
      DeclaredDataSources declared = new DeclaredDataSources(created);
      registry.registerBeanDefinition(
          DECLARATIONS_BEAN, new RootBeanDefinition(DeclaredDataSources.class, () -> declared));
    }
  }

  private XatmDataSource build(DeclaredDataSource d) {
    XatmTransactionManager tm = beanFactory.getBean(XatmTransactionManager.class);
    if (beanFactory instanceof ConfigurableBeanFactory cbf) {
      // Destroyed before the TM: the pool is closed while the TM can still finish its branches.
      for (String tmName :
          ((ListableBeanFactory) beanFactory).getBeanNamesForType(XatmTransactionManager.class)) {
        cbf.registerDependentBean(tmName, d.beanName());
      }
    }
    return d.build(tm);
  }
}
