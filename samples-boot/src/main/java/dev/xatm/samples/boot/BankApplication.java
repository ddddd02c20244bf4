package dev.xatm.samples.boot;

import dev.xatm.samples.boot.checking.CheckingAccounts;
import dev.xatm.samples.boot.savings.SavingsAccounts;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;
import org.springframework.orm.jpa.vendor.HibernateJpaVendorAdapter;

/**
 * A Spring Boot application with the xatm starter: a checking ledger in PostgreSQL and a savings
 * ledger in MariaDB, declared in application.properties ({@code xatm.datasources.checking.*},
 * {@code xatm.datasources.savings.*}), one JPA persistence unit on each, and {@link
 * TransferService} moving money between them in one {@code @Transactional} method.
 *
 * <p>The two entity manager factories and the two {@code @EnableJpaRepositories} below are what any
 * Boot application with two persistence units declares; nothing here is about JTA or xatm (the
 * starter makes both units JTA units of the xatm transaction manager). Run it with {@code mvn -pl
 * samples-boot -am compile exec:java} and the databases of application.properties; it moves 100 for
 * account {@code alice} and prints both balances.
 */
@SpringBootApplication
public class BankApplication {

  public static void main(String[] args) {
    try (var ctx = SpringApplication.run(BankApplication.class, args)) {
      TransferService transfers = ctx.getBean(TransferService.class);
      transfers.moveToSavings("alice", 100);
      long[] b = transfers.balances("alice");
      System.out.println("alice: checking " + b[0] + ", savings " + b[1]);
    }
  }

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
