package dev.xatm.it.boot.bank;

import dev.xatm.it.boot.bank.checking.CheckingAccounts;
import dev.xatm.it.boot.bank.savings.SavingsAccounts;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.orm.jpa.vendor.HibernateJpaVendorAdapter;

/**
 * A Boot application as a user writes it with the xatm starter: two databases declared in
 * properties ({@code xatm.datasources.checking.*} on PostgreSQL, {@code xatm.datasources.savings.*}
 * on MariaDB), one JPA persistence unit on each. The two entity manager factories and the two
 * {@code @EnableJpaRepositories} are what any Boot application with two persistence units declares;
 * nothing here is about JTA or xatm.
 */
@SpringBootApplication
public class BankApplication {

  @Bean
  LocalContainerEntityManagerFactoryBean checkingEntityManagerFactory(
      @Qualifier("checkingDataSource") DataSource ds) {
    return unit(ds, "checking", CheckingAccounts.class.getPackageName());
  }

  @Bean
  LocalContainerEntityManagerFactoryBean savingsEntityManagerFactory(
      @Qualifier("savingsDataSource") DataSource ds) {
    return unit(ds, "savings", SavingsAccounts.class.getPackageName());
  }

  private static LocalContainerEntityManagerFactoryBean unit(
      DataSource ds, String name, String pkg) {
    LocalContainerEntityManagerFactoryBean f = new LocalContainerEntityManagerFactoryBean();
    f.setDataSource(ds);
    f.setPersistenceUnitName(name);
    f.setPackagesToScan(pkg);
    f.setJpaVendorAdapter(new HibernateJpaVendorAdapter());
    return f;
  }

  @Configuration(proxyBeanMethods = false)
  @EnableJpaRepositories(
      basePackageClasses = CheckingAccounts.class,
      entityManagerFactoryRef = "checkingEntityManagerFactory")
  static class CheckingRepositories {}

  @Configuration(proxyBeanMethods = false)
  @EnableJpaRepositories(
      basePackageClasses = SavingsAccounts.class,
      entityManagerFactoryRef = "savingsEntityManagerFactory")
  static class SavingsRepositories {}
}
