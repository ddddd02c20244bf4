package dev.xatm.samples.spring;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.jta.JtaTransactionManager;

/**
 * Spring Framework 6 wiring of xatm: the transaction manager bean, Spring's {@link
 * JtaTransactionManager} on top of it, and two {@code jdbc:xa:} DataSources (a checking ledger in
 * PostgreSQL, a savings ledger in MariaDB) whose connections enlist in the same JTA transaction.
 *
 * <p>Properties (any Spring property source):
 *
 * <pre>
 * bank.checking.url=jdbc:xa:postgresql://db1:5432/bank     bank.checking.user / .password
 * bank.savings.url=jdbc:xa:mariadb://db2:3306/bank         bank.savings.user / .password
 * bank.pool-size=10                                        (per DataSource)
 * bank.savings.max-balance=1000000                         (see TransferService)
 * xatm.*                                                   (XatmConfig, e.g. xatm.log.dir)
 * </pre>
 */
@Configuration
@EnableTransactionManagement
public class BankConfig {

  /**
   * The xatm TM: one object that is the TransactionManager, the UserTransaction and the
   * TransactionSynchronizationRegistry. Its startup recovery runs inside {@code start}, so the two
   * databases are also declared as recovery resources: after a crash, recovery reaches them before
   * any pool exists. Closed when the context closes, after the DataSources (they depend on it).
   */
  @Bean(destroyMethod = "close")
  public XatmTransactionManager xatmTransactionManager(Environment env) {
    Map<String, String> props = xatmProperties(env);
    recoveryResource(props, "checking", env);
    recoveryResource(props, "savings", env);
    return XatmTransactionManager.start(XatmConfig.fromProperties(props));
  }

  /** Spring's JTA adapter, given all three roles of the xatm bean explicitly (no JNDI lookup). */
  @Bean
  public JtaTransactionManager transactionManager(XatmTransactionManager xatm) {
    JtaTransactionManager jta = new JtaTransactionManager(xatm, xatm);
    jta.setTransactionSynchronizationRegistry(xatm);
    return jta;
  }

  @Bean(destroyMethod = "close")
  public XatmDataSource checkingDataSource(Environment env, XatmTransactionManager xatm)
      throws SQLException {
    return dataSource("checking", env, xatm);
  }

  @Bean(destroyMethod = "close")
  public XatmDataSource savingsDataSource(Environment env, XatmTransactionManager xatm)
      throws SQLException {
    return dataSource("savings", env, xatm);
  }

  @Bean
  public JdbcTemplate checkingJdbc(@Qualifier("checkingDataSource") XatmDataSource ds) {
    return new JdbcTemplate(ds);
  }

  @Bean
  public JdbcTemplate savingsJdbc(@Qualifier("savingsDataSource") XatmDataSource ds) {
    return new JdbcTemplate(ds);
  }

  @Bean
  public TransferService transferService(
      @Qualifier("checkingJdbc") JdbcTemplate checking,
      @Qualifier("savingsJdbc") JdbcTemplate savings,
      Environment env) {
    return new TransferService(
        checking, savings, env.getProperty("bank.savings.max-balance", Long.class, 1_000_000L));
  }

  private static XatmDataSource dataSource(
      String ledger, Environment env, XatmTransactionManager xatm) throws SQLException {
    return XatmDataSource.builder()
        .url(env.getRequiredProperty("bank." + ledger + ".url"))
        .user(env.getProperty("bank." + ledger + ".user"))
        .password(env.getProperty("bank." + ledger + ".password"))
        .maxPoolSize(env.getProperty("bank.pool-size", Integer.class, 10))
        .runtime(xatm)
        .build();
  }

  private static void recoveryResource(Map<String, String> props, String ledger, Environment env) {
    String prefix = XatmConfig.RECOVERY_PREFIX + "resource." + ledger + ".";
    props.putIfAbsent(prefix + "url", env.getRequiredProperty("bank." + ledger + ".url"));
    String user = env.getProperty("bank." + ledger + ".user");
    String password = env.getProperty("bank." + ledger + ".password");
    if (user != null) {
      props.putIfAbsent(prefix + "user", user);
    }
    if (password != null) {
      props.putIfAbsent(prefix + "password", password);
    }
  }

  /** Every {@code xatm.*} property visible in the environment, highest-precedence source first. */
  private static Map<String, String> xatmProperties(Environment env) {
    Map<String, String> props = new TreeMap<>();
    if (env instanceof ConfigurableEnvironment ce) {
      for (PropertySource<?> source : ce.getPropertySources()) {
        if (source instanceof EnumerablePropertySource<?> e) {
          for (String name : e.getPropertyNames()) {
            if (name.startsWith("xatm.")) {
              props.putIfAbsent(name, env.getProperty(name));
            }
          }
        }
      }
    }
    return props;
  }
}
