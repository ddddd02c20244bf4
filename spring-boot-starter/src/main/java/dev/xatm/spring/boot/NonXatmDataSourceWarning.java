package dev.xatm.spring.boot;

import dev.xatm.jdbc.XatmDataSource;
import java.lang.System.Logger.Level;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Once every singleton exists, logs a WARNING for each DataSource bean that is not an xatm pool
 * (nor wraps one): its connections do not enlist in the xatm transaction that Spring's {@code
 * JtaTransactionManager} runs, so what {@code @Transactional} code writes through it commits on its
 * own, outside the two-phase commit, with nothing else to tell. A DataSource kept outside JTA on
 * purpose (a scheduler's, a migration tool's) may be left as it is; the logger {@code
 * dev.xatm.spring.boot.NonXatmDataSourceWarning} can be set to ERROR to silence it.
 *
 * <p>Only singletons that exist are looked at (a lazy bean is not created for this). Runs once, on
 * the context's thread.
 */
public final class NonXatmDataSourceWarning implements SmartInitializingSingleton {
  private static final System.Logger LOG =
      System.getLogger(NonXatmDataSourceWarning.class.getName());

  private final ConfigurableListableBeanFactory beanFactory;

  /**
   * Creates the check.
   *
   * @param beanFactory where the DataSource singletons are looked up
   */
  public NonXatmDataSourceWarning(ConfigurableListableBeanFactory beanFactory) {
    this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory");
  }

  @Override
  public void afterSingletonsInstantiated() {
    for (String name : nonXatm()) {
      Object bean = beanFactory.getSingleton(name);
      LOG.log(
          Level.WARNING,
          "xatm: the DataSource bean '"
              + name
              + "' ("
              + bean.getClass().getName()
              + ") is not an xatm pool, so its connections do not enlist in the JTA transactions"
              + " of the xatm transaction manager: what @Transactional code writes through it"
              + " commits on its own, outside the two-phase commit. Declare the database as"
              + " xatm.datasources."
              + name.replaceFirst("DataSource$", "")
              + ".url=jdbc:xa:<vendor-url> (or spring.datasource.url) instead of the bean, or leave"
              + " it if it is meant to stay outside JTA");
    }
  }

  /** Names of the existing DataSource singletons that are not (and do not wrap) an xatm pool. */
  List<String> nonXatm() {
    List<String> out = new ArrayList<>();
    for (String name : beanFactory.getBeanNamesForType(DataSource.class, false, false)) {
      if (beanFactory.containsSingleton(name)
          && beanFactory.getSingleton(name) instanceof DataSource ds
          && !isXatm(ds)) {
        out.add(name);
      }
    }
    return out;
  }

  private static boolean isXatm(DataSource ds) {
    try {
      return ds.isWrapperFor(XatmDataSource.class);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }
}
