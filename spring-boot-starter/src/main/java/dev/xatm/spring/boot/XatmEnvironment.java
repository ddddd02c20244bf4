package dev.xatm.spring.boot;

import dev.xatm.config.Setting;
import dev.xatm.config.SettingsTable;
import dev.xatm.jdbc.PoolSettings;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.XatmSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Reads what the starter needs from the Spring {@link Environment} ({@code application.properties},
 * YAML, environment variables, command line; Boot's precedence): the {@code xatm.*} settings of the
 * transaction manager, the starter's own {@code xatm.spring.*} settings, and the DataSources
 * declared by {@code spring.datasource.*} and {@code xatm.datasources.<name>.*}.
 *
 * <p>Stateless; every method reads the environment when called.
 */
public final class XatmEnvironment {
  /** Prefix of the named DataSources. */
  public static final String DATASOURCES = "xatm.datasources";

  /** The starter's own settings. */
  public static final String SPRING = "xatm.spring";

  /** {@code blocking} (default) or {@code background}: see {@link StartupRecoveryMode}. */
  public static final String STARTUP_RECOVERY = SPRING + ".startup-recovery";

  /** Name of the DataSource of {@code spring.datasource.*}, as bean and as recovery resource. */
  public static final String BOOT_DATASOURCE = "dataSource";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

  private XatmEnvironment() {}

  /**
   * Every {@code xatm.*} setting of the transaction manager for {@link
   * XatmConfig#fromMergedSettings}, with the full key ({@code xatm.log.dir}); the starter's own
   * {@code xatm.spring.*} and {@code xatm.datasources.*} are left out.
   *
   * <p>Spring's property sources are read in Spring's order (command line &gt; system properties
   * &gt; environment &gt; {@code application.properties}, ...), which is xatm's precedence with
   * Spring's sources in the place of {@code xatm.properties}. The environment is read with xatm's
   * own {@code XATM_*} mapping rather than Boot's relaxed one, so {@code XATM_NODE_ID} is {@code
   * xatm.node-id} and {@code XATM_RECOVERY_RESOURCE__bank-a__URL} reaches resource {@code bank-a},
   * as without Spring. An unknown {@code xatm.*} key or {@code XATM_*} variable fails the start,
   * naming the nearest known key.
   *
   * @param env the Spring environment
   * @return the settings by full key, sorted by key
   * @throws dev.xatm.tm.XatmConfigException an unknown {@code xatm.*} key or {@code XATM_*}
   *     variable
   */
  public static Map<String, String> tmProperties(Environment env) {
    if (!(env instanceof ConfigurableEnvironment configurable)) {
      return bound(env);
    }
    List<PropertySource<?>> sources = new ArrayList<>();
    configurable.getPropertySources().forEach(sources::add);
    Collections.reverse(sources); // lowest precedence first, so later ones override
    Map<String, String> out = new TreeMap<>();
    List<Map<String, String>> environments = new ArrayList<>();
    for (PropertySource<?> source : sources) {
      if (source instanceof SystemEnvironmentPropertySource variables) {
        Map<String, String> vars = new TreeMap<>();
        variables.getSource().forEach((k, v) -> vars.put(k, String.valueOf(v)));
        environments.add(vars);
        // Unknown variables are refused below, once every password-env name is known.
        out.putAll(XatmSettings.TABLE.fromEnvironment(vars, n -> true));
      } else if (source instanceof EnumerablePropertySource<?> names) {
        for (String name : names.getPropertyNames()) {
          if (name.startsWith("xatm.") && !starterOwned(name)) {
            Object v = names.getProperty(name);
            String text = v == null ? "" : env.resolveRequiredPlaceholders(String.valueOf(v));
            out.put(name, text.trim());
          }
        }
      }
    }
    // Now refuse unknown XATM_* variables, except the starter's own and those that hold a
    // password named by a password-env setting.
    Set<String> passwordVariables = new HashSet<>();
    out.forEach(
        (k, v) -> {
          if (XatmSettings.RESOURCE_PASSWORD_ENV.match(k) != null) {
            passwordVariables.add(v);
          }
        });
    for (Map<String, String> vars : environments) {
      XatmSettings.TABLE.fromEnvironment(
          vars,
          n ->
              n.startsWith("XATM_SPRING_")
                  || n.startsWith("XATM_DATASOURCES_")
                  || passwordVariables.contains(n));
    }
    return out;
  }

  private static boolean starterOwned(String key) {
    return key.startsWith(DATASOURCES + ".") || key.startsWith(SPRING + ".");
  }

  /** An environment that cannot list its sources: Boot's binding, as before issue 12. */
  private static Map<String, String> bound(Environment env) {
    Map<String, String> raw =
        Binder.get(env).bind("xatm", Bindable.mapOf(String.class, String.class)).orElseGet(Map::of);
    Map<String, String> out = new TreeMap<>();
    raw.forEach(
        (k, v) -> {
          String key = "xatm." + k;
          if (!starterOwned(key)) {
            out.put(key, v == null ? "" : v.trim());
          }
        });
    return out;
  }

  /** What a DataSource declaration may hold besides its pool settings. */
  private static final List<String> DATASOURCE_PROPERTIES =
      List.of("url", "username", "password", "xa-data-source-class", "primary");

  /**
   * Boot's binder leaves unknown JavaBean properties alone, so a misspelled {@code
   * xatm.datasources.bank.max-sise} would be silently ignored: refuse it here, naming the nearest
   * property (issue 12). Boot's relaxed forms ({@code maxSize}, {@code max_size}) are accepted.
   */
  private static void checkDataSourceKeys(Environment env) {
    if (!(env instanceof ConfigurableEnvironment configurable)) {
      return;
    }
    List<String> pool = new ArrayList<>();
    for (Setting<?> s : PoolSettings.TABLE.settings()) {
      pool.add(s.key().substring("xatm.pool.".length()));
    }
    pool.add("max-pool-size"); // the name before issue 12, with a WARNING
    List<String> declared = new ArrayList<>(DATASOURCE_PROPERTIES);
    declared.addAll(pool);
    for (PropertySource<?> source : configurable.getPropertySources()) {
      if (!(source instanceof EnumerablePropertySource<?> names)
          || source instanceof SystemEnvironmentPropertySource) {
        continue;
      }
      for (String name : names.getPropertyNames()) {
        String property = null;
        List<String> known = null;
        if (name.startsWith(DATASOURCES + ".")) {
          String rest = name.substring(DATASOURCES.length() + 1);
          int dot = rest.indexOf('.');
          property = dot < 0 ? "" : rest.substring(dot + 1);
          known = declared;
        } else if (name.startsWith("spring.datasource.xatm.")) {
          property = name.substring("spring.datasource.xatm.".length());
          known = pool;
        }
        if (property != null && !known.contains(kebab(property))) {
          String prefix = name.substring(0, name.length() - property.length());
          throw XatmConfigException.unknownKey(
              name,
              "unknown DataSource setting; did you mean "
                  + prefix
                  + SettingsTable.nearest(kebab(property), known)
                  + "?");
        }
      }
    }
  }

  /**
   * Boot's canonical form of a property name: {@code maxSize} and {@code max_size} are max-size.
   */
  private static String kebab(String name) {
    StringBuilder sb = new StringBuilder();
    for (char c : name.toCharArray()) {
      if (Character.isUpperCase(c)) {
        sb.append('-').append(Character.toLowerCase(c));
      } else {
        sb.append(c == '_' ? '-' : c);
      }
    }
    return sb.toString();
  }

  /**
   * {@return how the startup recovery pass runs: {@code xatm.spring.startup-recovery}, {@code
   * blocking} by default}
   *
   * @param env the Spring environment
   * @throws XatmConfigException the value is neither {@code blocking} nor {@code background}
   */
  public static StartupRecoveryMode startupRecoveryMode(Environment env) {
    String v = env.getProperty(STARTUP_RECOVERY, "blocking").trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "blocking" -> StartupRecoveryMode.BLOCKING;
      case "background" -> StartupRecoveryMode.BACKGROUND;
      default ->
          throw new XatmConfigException(STARTUP_RECOVERY, v, "must be blocking or background");
    };
  }

  /**
   * The DataSources to create: {@code spring.datasource.url} (bean {@code dataSource}, pool
   * settings under {@code spring.datasource.xatm.*}) when set, and every {@code
   * xatm.datasources.<name>} (bean {@code <name>DataSource}).
   *
   * @param env the Spring environment
   * @param includeBoot whether {@code spring.datasource.*} is the starter's to create (false when
   *     the application declares its own DataSource bean)
   * @throws XatmConfigException a name is not letters, digits, - and _, a URL is missing, or two
   *     DataSources claim to be primary
   * @return the DataSources in declaration order: {@code spring.datasource} first, then the named
   *     ones by name
   */
  public static List<DeclaredDataSource> dataSources(Environment env, boolean includeBoot) {
    checkDataSourceKeys(env);
    Binder binder = Binder.get(env);
    Map<String, DataSourceSpec> named =
        binder
            .bind(DATASOURCES, Bindable.mapOf(String.class, DataSourceSpec.class))
            .map(m -> (Map<String, DataSourceSpec>) new LinkedHashMap<>(m))
            .orElseGet(LinkedHashMap::new);
    List<DeclaredDataSource> out = new ArrayList<>();
    String bootUrl = env.getProperty("spring.datasource.url");
    boolean boot = includeBoot && bootUrl != null && !bootUrl.isBlank();
    if (boot) {
      DataSourceSpec spec =
          binder
              .bind("spring.datasource.xatm", Bindable.of(DataSourceSpec.class))
              .orElseGet(DataSourceSpec::new);
      spec.setUrl(bootUrl.trim());
      spec.setUsername(env.getProperty("spring.datasource.username"));
      spec.setPassword(env.getProperty("spring.datasource.password"));
      String xaClass = env.getProperty("spring.datasource.xa.data-source-class-name");
      if (xaClass != null && spec.getXaDataSourceClass() == null) {
        spec.setXaDataSourceClass(xaClass);
      }
      boolean anyNamedPrimary = named.values().stream().anyMatch(DataSourceSpec::isPrimary);
      out.add(
          new DeclaredDataSource(
              BOOT_DATASOURCE, BOOT_DATASOURCE, "spring.datasource", spec, !anyNamedPrimary));
    }
    int primaries = 0;
    for (Map.Entry<String, DataSourceSpec> e : new TreeMap<>(named).entrySet()) {
      String name = e.getKey();
      String prefix = DATASOURCES + "." + name;
      if (!NAME.matcher(name).matches()) {
        throw new XatmConfigException(
            prefix, name, "DataSource names are letters, digits, - and _");
      }
      DataSourceSpec spec = e.getValue();
      if (spec.getUrl() == null || spec.getUrl().isBlank()) {
        throw new XatmConfigException(
            prefix + ".url", "", "every DataSource needs a url (jdbc:xa:<vendor-url>)");
      }
      spec.setUrl(spec.getUrl().trim());
      if (!spec.getUrl().startsWith("jdbc:")) {
        throw new XatmConfigException(
            prefix + ".url", "(not shown)", "not a JDBC URL; expected jdbc:xa:<vendor-url>");
      }
      if (spec.isPrimary()) {
        primaries++;
      }
      out.add(new DeclaredDataSource(name, name + "DataSource", prefix, spec, spec.isPrimary()));
    }
    if (primaries > 1) {
      throw new XatmConfigException(
          DATASOURCES + ".<name>.primary", "true", "only one DataSource may be primary");
    }
    return out;
  }
}
