package dev.xatm.it.boot;

import dev.xatm.samples.boot.BankApplication;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The databases and the properties of one run of the sample {@link BankApplication} ({@code
 * samples-boot}): a checking database on
 * PostgreSQL and a savings database on MariaDB, each with {@code account(id, balance)}, savings
 * also with {@code audit(id, text)}. The properties are all a user writes: the two DataSources and
 * the TM's log directory and node id; no recovery resource, no bean.
 *
 * <p>Used by one test class at a time.
 */
public final class BankRig {
  public static final long OPENING_CHECKING = 3_000;
  public static final long OPENING_SAVINGS = 1_000;

  private final String db;
  private final String node;
  private final Path logDir;
  private final List<String> accounts;

  /**
   * @param name distinguishes the databases and node id of one test class (the Boot line is added)
   */
  public BankRig(String name, Path logDir, List<String> accounts) {
    this.db = "xatm_boot" + Servers.tag() + "_" + name;
    this.node = "boot" + Servers.tag() + "-" + name.replace('_', '-');
    this.logDir = logDir;
    this.accounts = List.copyOf(accounts);
  }

  public String db() {
    return db;
  }

  public String node() {
    return node;
  }

  public String pgUrl() {
    return Servers.pgUrl(db);
  }

  public String mariaUrl() {
    return Servers.mariaUrl(db);
  }

  /** Recreates both databases with every account at its opening balance. */
  public void createDatabases() throws SQLException {
    Servers.recreatePg(db);
    Servers.recreateMaria(db, node);
    List<String> pg = new ArrayList<>();
    List<String> maria = new ArrayList<>();
    pg.add("create table account(id varchar(32) primary key, balance bigint not null)");
    maria.add("create table account(id varchar(32) primary key, balance bigint not null)");
    maria.add("create table audit(id varchar(64) primary key, text varchar(200))");
    for (String a : accounts) {
      pg.add("insert into account values ('" + a + "', " + OPENING_CHECKING + ")");
      maria.add("insert into account values ('" + a + "', " + OPENING_SAVINGS + ")");
    }
    Servers.execute(pgUrl(), pg.toArray(String[]::new));
    Servers.execute(mariaUrl(), maria.toArray(String[]::new));
  }

  /** The application's properties, as its application.properties would hold them. */
  public Map<String, String> properties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("xatm.node-id", node);
    p.put("xatm.log.dir", logDir.toString());
    p.put(
        "xatm.datasources.checking.url",
        "jdbc:xa:postgresql://" + Servers.pgHostPort() + "/" + db);
    p.put("xatm.datasources.checking.username", "postgres");
    p.put("xatm.datasources.checking.primary", "true");
    p.put("xatm.datasources.checking.max-size", "5");
    p.put("xatm.datasources.savings.url", "jdbc:xa:mariadb://" + Servers.mariaHostPort() + "/" + db);
    p.put("xatm.datasources.savings.username", "root");
    p.put("spring.jpa.open-in-view", "false");
    p.put("spring.main.banner-mode", "off");
    // The sample's application.properties is on the class path: the tests give every property.
    p.put("spring.config.name", "xatm-it-boot-none");
    return p;
  }

  /**
   * Starts the sample application with {@link #properties()} plus {@code extra}, as command-line
   * arguments: they win over the sample's own application.properties.
   */
  public ConfigurableApplicationContext start(Map<String, String> extra) {
    return start(extra, List.of());
  }

  /**
   * As {@link #start(Map)}, with more configuration classes beside the application and
   * initializers (a test's probe beans, a {@code XatmTransactionManagerCustomizer} singleton).
   */
  public ConfigurableApplicationContext start(
      Map<String, String> extra,
      List<Class<?>> moreSources,
      ApplicationContextInitializer<?>... initializers) {
    Map<String, String> p = new LinkedHashMap<>(properties());
    p.putAll(extra);
    List<Class<?>> sources = new ArrayList<>();
    sources.add(BankApplication.class);
    sources.addAll(moreSources);
    return new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
        .web(WebApplicationType.NONE)
        .initializers(initializers)
        .run(asArgs(p));
  }

  /** {@code --key=value} command-line arguments. */
  public static String[] asArgs(Map<String, String> p) {
    return p.entrySet().stream()
        .map(e -> "--" + e.getKey() + "=" + e.getValue())
        .toArray(String[]::new);
  }

  /** {@code [checking, savings]} of an account, read on the servers through plain JDBC. */
  public long[] balances(String account) throws SQLException {
    String q = "select balance from account where id = '" + account + "'";
    return new long[] {Servers.queryLong(pgUrl(), q), Servers.queryLong(mariaUrl(), q)};
  }

  /** The money over both databases. */
  public long total() throws SQLException {
    String q = "select coalesce(sum(balance), 0) from account";
    return Servers.queryLong(pgUrl(), q) + Servers.queryLong(mariaUrl(), q);
  }

  public long openingTotal() {
    return accounts.size() * (OPENING_CHECKING + OPENING_SAVINGS);
  }

  /** What this node left prepared on either server. */
  public List<String> preparedLeft() throws SQLException {
    List<String> left = new ArrayList<>();
    Servers.pgPrepared(db).forEach(g -> left.add("postgresql " + g));
    Servers.mariaPrepared(node).forEach(x -> left.add("mariadb " + x));
    return left;
  }
}
