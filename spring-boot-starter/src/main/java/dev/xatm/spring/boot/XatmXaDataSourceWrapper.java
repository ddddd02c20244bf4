package dev.xatm.spring.boot;

import dev.xatm.jdbc.RecoveryRecipe;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.spi.XatmRuntime;
import jakarta.transaction.TransactionManager;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import javax.sql.XADataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.XADataSourceWrapper;
import org.springframework.core.env.Environment;

/**
 * Boot's {@link XADataSourceWrapper}, the hook of its XA path: when the application has no {@code
 * DataSource} bean, Boot's {@code XADataSourceAutoConfiguration} (both lines) creates the {@code
 * dataSource} bean by handing this wrapper a vendor {@link XADataSource}: the application's
 * XADataSource bean, or one of {@code spring.datasource.xa.data-source-class-name} configured from
 * {@code spring.datasource.xa.properties.*} and {@code spring.datasource.username/password}. It
 * returns a pooled, enlisting {@link dev.xatm.jdbc.XatmDataSource} on that instance, with the pool
 * settings of {@code spring.datasource.xatm.*}.
 *
 * <p>Recovery needs to reconnect to the database without the instance, so the wrapper takes the
 * recipe ({@link RecoveryRecipe#of(XADataSource, String)}) from the URL the instance reports:
 * pgjdbc's {@code PGXADataSource} and MariaDB Connector/J's {@code MariaDbDataSource}. Any other
 * class is refused, naming it and the fix (declare the database by URL). The password is the one
 * Boot bound from the properties, or, for an application bean, the one the instance reveals.
 *
 * <p>Boot creates the XADataSource inside its {@code dataSource} bean method, after the TM would
 * exist. So the pool finds the TM only when a connection is used, and the TM bean creates Boot's
 * {@code dataSource} before it starts ({@link #createBootXaDataSources}), reading {@link
 * #wrapped()} to configure recovery: the startup pass right after a crash reaches the database with
 * its credentials, as for the other DataSources.
 *
 * <p>Thread-safe.
 */
public final class XatmXaDataSourceWrapper implements XADataSourceWrapper {
  private static final System.Logger LOG =
      System.getLogger(XatmXaDataSourceWrapper.class.getName());

  /** The configuration classes of Boot's XA path, both lines; their bean is named by class. */
  private static final Set<String> BOOT_XA_CONFIGURATIONS =
      Set.of(
          "org.springframework.boot.autoconfigure.jdbc.XADataSourceAutoConfiguration",
          "org.springframework.boot.jdbc.autoconfigure.XADataSourceAutoConfiguration");

  private final ObjectProvider<XatmTransactionManager> tm;
  private final ObjectProvider<XADataSource> applicationBeans;
  private final Environment environment;
  private final List<DeclaredDataSource> wrapped = new CopyOnWriteArrayList<>();

  /**
   * Creates the wrapper.
   *
   * @param tm the TM bean, looked up when a pool's connection first needs it
   * @param applicationBeans the application's XADataSource beans (their password is read from them)
   * @param environment where {@code spring.datasource.xatm.*} and Boot's password are read
   */
  public XatmXaDataSourceWrapper(
      ObjectProvider<XatmTransactionManager> tm,
      ObjectProvider<XADataSource> applicationBeans,
      Environment environment) {
    this.tm = Objects.requireNonNull(tm, "tm");
    this.applicationBeans = Objects.requireNonNull(applicationBeans, "applicationBeans");
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  /**
   * @throws IllegalStateException naming the XADataSource class and the fix when recovery could not
   *     reconnect to it
   */
  @Override
  public DataSource wrapDataSource(XADataSource dataSource) {
    boolean applicationBean = applicationBeans.stream().anyMatch(b -> b == dataSource);
    String className = dataSource.getClass().getName();
    RecoveryRecipe r;
    try {
      // Boot's own instance got spring.datasource.xa.properties.password or
      // spring.datasource.password (or none); an application bean is asked.
      r = RecoveryRecipe.of(dataSource, applicationBean ? null : bootPassword());
    } catch (SQLException e) {
      throw new IllegalStateException(
          (applicationBean
                  ? "the XADataSource bean"
                  : "spring.datasource.xa.data-source-class-name")
              + " "
              + className
              + " cannot be pooled by xatm: "
              + e.getMessage()
              + ". Declare the database by URL instead: spring.datasource.url=jdbc:xa:<vendor-url>"
              + " with spring.datasource.xa.data-source-class-name="
              + className
              + " (or xatm.datasources.<name>.url and .xa-data-source-class)"
              + (applicationBean ? ", and remove the XADataSource bean" : ""),
          e);
    }
    DataSourceSpec spec =
        Binder.get(environment)
            .bind("spring.datasource.xatm", Bindable.of(DataSourceSpec.class))
            .orElseGet(DataSourceSpec::new);
    spec.setUrl(r.url());
    spec.setUsername(r.user());
    spec.setPassword(r.password());
    spec.setXaDataSourceClass(null);
    DeclaredDataSource d =
        new DeclaredDataSource(
            XatmEnvironment.BOOT_DATASOURCE,
            XatmEnvironment.BOOT_DATASOURCE,
            "spring.datasource",
            spec,
            true,
            r.passwordKnown());
    if (!r.passwordKnown()) {
      String base = d.recoveryPrefix();
      LOG.log(
          Level.WARNING,
          "xatm: the XADataSource bean "
              + className
              + " does not reveal its password, so recovery of "
              + r.url()
              + " gets none from the starter: if the database needs one, set "
              + base
              + "password or "
              + base
              + "password-env");
    }
    wrapped.add(d);
    return d.build(new LazyRuntime(tm), dataSource);
  }

  private String bootPassword() {
    String xa = environment.getProperty("spring.datasource.xa.properties.password");
    String password = xa != null ? xa : environment.getProperty("spring.datasource.password");
    return password == null ? "" : password;
  }

  /** What this wrapper pooled so far, in order, for the TM's recovery configuration. */
  List<DeclaredDataSource> wrapped() {
    return List.copyOf(wrapped);
  }

  /**
   * Creates the DataSource beans of Boot's XA path now (the TM bean calls this before it starts),
   * so that {@link #wrapped()} lists them; registers the TM beans as destroyed after them.
   *
   * @return their bean names
   */
  static List<String> createBootXaDataSources(ConfigurableListableBeanFactory beanFactory) {
    List<String> names = new ArrayList<>();
    for (String name : beanFactory.getBeanDefinitionNames()) {
      BeanDefinition def = beanFactory.getBeanDefinition(name);
      // The same class also defines Boot's connection details bean: only its DataSource counts.
      String factory = def.getFactoryBeanName();
      if (factory != null
          && BOOT_XA_CONFIGURATIONS.contains(factory)
          && beanFactory.isTypeMatch(name, DataSource.class)) {
        names.add(name);
      }
    }
    for (String name : names) {
      beanFactory.getBean(name);
      for (String tmName : beanFactory.getBeanNamesForType(XatmTransactionManager.class)) {
        beanFactory.registerDependentBean(tmName, name);
      }
    }
    return names;
  }

  /**
   * The TM bean, found when a connection first needs it: Boot's XA DataSource is created before the
   * TM has started.
   */
  private record LazyRuntime(ObjectProvider<XatmTransactionManager> tm) implements XatmRuntime {
    @Override
    public TransactionManager transactionManager() {
      return tm.getObject();
    }

    @Override
    public void offerCredentials(ResourceDescriptor resource, String password) {
      tm.getObject().offerCredentials(resource, password);
    }
  }
}
