package dev.xatm.spring.boot;

import dev.xatm.config.Setting;
import dev.xatm.jdbc.PoolSettings;
import dev.xatm.jdbc.RecoveryRecipe;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.spi.XatmRuntime;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import javax.sql.XADataSource;

/**
 * One DataSource the starter creates: its name (the recovery resource name and the root of the bean
 * name), the property prefix it was declared under (for messages), and its settings. Knows how to
 * build the pooled, enlisting {@link XatmDataSource} and how to tell the TM's recovery about the
 * same database before the pool exists.
 *
 * <p>Immutable after construction; the spec is not changed once read.
 */
public final class DeclaredDataSource {
  private static final System.Logger LOG = System.getLogger(DeclaredDataSource.class.getName());
  private final String name;
  private final String beanName;
  private final String prefix;
  private final DataSourceSpec spec;
  private final boolean primary;
  private final boolean passwordKnown;

  DeclaredDataSource(
      String name, String beanName, String prefix, DataSourceSpec spec, boolean primary) {
    this(name, beanName, prefix, spec, primary, true);
  }

  DeclaredDataSource(
      String name,
      String beanName,
      String prefix,
      DataSourceSpec spec,
      boolean primary,
      boolean passwordKnown) {
    this.name = Objects.requireNonNull(name, "name");
    this.beanName = Objects.requireNonNull(beanName, "beanName");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.primary = primary;
    this.passwordKnown = passwordKnown;
  }

  /**
   * {@return the name: {@code dataSource} for {@code spring.datasource.*}, else {@code <name>}} It
   * is also the recovery resource name.
   */
  public String name() {
    return name;
  }

  /** {@return the bean name: {@code dataSource}, or {@code <name>DataSource}} */
  public String beanName() {
    return beanName;
  }

  /** {@return where it was declared, e.g. {@code xatm.datasources.checking}} */
  public String prefix() {
    return prefix;
  }

  /** {@return whether its bean is the {@code @Primary} DataSource} */
  public boolean primary() {
    return primary;
  }

  /**
   * How recovery reaches this database: the URL, user and password sorted out as the pool sorts
   * them (a password in the URL moves to the password), so the recipe is the pool's descriptor.
   *
   * @throws IllegalStateException naming the property prefix when the URL is malformed
   */
  RecoveryRecipe recoveryRecipe() {
    try {
      return RecoveryRecipe.of(
          spec.getUrl(),
          emptyToNull(spec.getUsername()),
          spec.getPassword(),
          spec.getXaDataSourceClass());
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the DataSource declared by " + prefix + ".* cannot be built: " + e.getMessage(), e);
    }
  }

  /**
   * Adds this database as {@code xatm.recovery.resource.<name>.*}, so the startup recovery pass
   * reaches it with its credentials right after a crash, before any pool exists. A password in the
   * URL ({@code password=}, {@code //user:pw@host}) goes to {@code .password}, the URL keeps none
   * (recovery refuses passwords in URLs). When the application configured {@code .url} of that name
   * itself, its entry wins and nothing is added; when it configured only {@code .user}, {@code
   * .password} or {@code .password-env} (a password from a secret store), those stay and the rest
   * is added.
   *
   * @return the recipe added, or {@code null} when the application's {@code .url} wins
   */
  RecoveryRecipe addRecoveryResource(Map<String, String> tmProperties) {
    String base = recoveryPrefix();
    if (tmProperties.containsKey(base + "url")) {
      return null;
    }
    RecoveryRecipe r = recoveryRecipe();
    tmProperties.put(base + "url", r.url());
    boolean passwordGiven =
        tmProperties.containsKey(base + "password")
            || tmProperties.containsKey(base + "password-env");
    String user = r.user();
    if (tmProperties.containsKey(base + "user")) {
      user = tmProperties.get(base + "user");
    } else if (user != null) {
      tmProperties.put(base + "user", user);
    }
    if (passwordGiven || !passwordKnown) {
      return r;
    }
    if (user != null && !user.isEmpty()) {
      // An empty password means "none" to recovery (trust authentication); without the key a
      // resource with a user would be reported as missing credentials.
      tmProperties.put(base + "password", r.password() == null ? "" : r.password());
    } else if (r.password() != null) {
      tmProperties.put(base + "password", r.password());
    }
    return r;
  }

  /**
   * False for an application's XADataSource bean that does not reveal its password (MariaDB
   * Connector/J): recovery then gets none from the starter.
   */
  boolean passwordKnown() {
    return passwordKnown;
  }

  /** {@code xatm.recovery.resource.<name>.}: where this database's recovery recipe goes. */
  String recoveryPrefix() {
    return RecoveryConfig.RESOURCE_PREFIX + name + ".";
  }

  /**
   * Builds the pool. Connections enlist in the transactions of {@code tm}, and the pool offers its
   * password to the TM's recovery.
   *
   * @param tm the started transaction manager
   * @return the pool; the caller (the bean factory) closes it
   * @throws IllegalStateException naming the property prefix when the URL or a setting is bad
   */
  public XatmDataSource build(XatmTransactionManager tm) {
    return build(tm, null);
  }

  /**
   * Builds the pool on {@code configured} when it is given (Boot's XA path: the URL is then the
   * recipe only), else from the URL.
   */
  XatmDataSource build(XatmRuntime runtime, XADataSource configured) {
    XatmDataSource.Builder b =
        XatmDataSource.builder()
            .url(spec.getUrl())
            .user(emptyToNull(spec.getUsername()))
            .password(spec.getPassword())
            .runtime(runtime);
    if (configured != null) {
      b.xaDataSource(configured);
    }
    if (spec.getXaDataSourceClass() != null) {
      b.xaDataSourceClass(spec.getXaDataSourceClass());
    }
    for (Map.Entry<String, String> e : spec.pool().entrySet()) {
      if (e.getValue() != null) {
        Setting<?> s = poolSetting(e.getKey());
        String property = poolPrefix() + "." + e.getKey();
        try {
          PoolSettings.TABLE.value(s, property, e.getValue()); // names the property as written
        } catch (IllegalArgumentException bad) {
          throw new IllegalStateException(
              "the DataSource declared by " + prefix + ".* cannot be built: " + bad.getMessage(),
              bad);
        }
        b.setting(s.key(), e.getValue());
      }
    }
    try {
      return b.build();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "the DataSource declared by " + prefix + ".* cannot be built: " + e.getMessage(), e);
    }
  }

  /** Where its pool settings are: {@code spring.datasource.xatm}, or the named prefix. */
  private String poolPrefix() {
    return prefix.equals("spring.datasource") ? "spring.datasource.xatm" : prefix;
  }

  /** The pool setting of a property name under the pool prefix ({@code acquire-timeout}). */
  private Setting<?> poolSetting(String name) {
    if (name.equals("max-pool-size")) {
      LOG.log(
          System.Logger.Level.WARNING,
          prefix
              + ".max-pool-size is an old spelling, accepted for one release: write "
              + prefix
              + ".max-size instead");
      return PoolSettings.MAX_SIZE;
    }
    Setting<?> s = PoolSettings.TABLE.find("xatm.pool." + name);
    if (s == null) {
      throw new IllegalStateException("unknown pool setting " + poolPrefix() + "." + name);
    }
    return s;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  @Override
  public String toString() {
    return beanName + " (" + prefix + ")";
  }
}
