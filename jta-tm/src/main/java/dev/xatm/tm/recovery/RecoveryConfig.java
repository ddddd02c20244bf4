package dev.xatm.tm.recovery;

import dev.xatm.config.Setting;
import dev.xatm.config.SettingsTable;
import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.XatmSettings;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code xatm.recovery.*} settings, parsed and validated (a bad value fails with the key).
 *
 * <p>The keys, types and defaults are {@link XatmSettings}' ({@code xatm.recovery.startup}, {@code
 * .interval}, {@code .backoff.initial}, {@code .backoff.max}, {@code .legacy-xids}, and per
 * resource {@code xatm.recovery.resource.NAME.url}, {@code .user}, {@code .password}, {@code
 * .password-env}; a NAME is letters, digits, '.', '-' and '_', e.g. {@code Bank.EU}).
 *
 * <p>Immutable; {@link #toString()} never shows a password.
 */
public final class RecoveryConfig {
  /** {@value}: the prefix of every recovery key. */
  public static final String PREFIX = "xatm.recovery.";

  /** The key of {@link XatmSettings#RECOVERY_STARTUP}: {@value}. */
  public static final String STARTUP = PREFIX + "startup";

  /** The key of {@link XatmSettings#RECOVERY_INTERVAL}: {@value}. */
  public static final String INTERVAL = PREFIX + "interval";

  /** The key of {@link XatmSettings#RECOVERY_BACKOFF_INITIAL}: {@value}. */
  public static final String BACKOFF_INITIAL = PREFIX + "backoff.initial";

  /** The key of {@link XatmSettings#RECOVERY_BACKOFF_MAX}: {@value}. */
  public static final String BACKOFF_MAX = PREFIX + "backoff.max";

  /** {@value}: the prefix of the per-resource keys, followed by the resource's name. */
  public static final String RESOURCE_PREFIX = PREFIX + "resource.";

  /** The key of {@link XatmSettings#RECOVERY_LEGACY_XIDS}: {@value}. */
  public static final String LEGACY_XIDS = PREFIX + "legacy-xids";

  /**
   * What recovery does with a prepared old-layout Xid (no log identity, written by a version before
   * issue 10) of which this log holds no record ({@code xatm.recovery.legacy-xids}).
   */
  public enum LegacyXids {
    /** Default: in doubt for an operator (another process with the node id may own it). */
    KEEP_IN_DOUBT,
    /**
     * Presumed abort, but only for epochs before the log's first start that wrote the new layout
     * and only on an undamaged log: the operator asserts that no other process ever shared the node
     * id. Later old-layout Xids cannot be this log's, so they stay in doubt.
     */
    PRESUME_ABORT
  }

  /** {@code //user:password@}: a password in the user-info of a URL authority. */
  private static final Pattern USERINFO_PASSWORD = Pattern.compile("//[^/?#@]*:[^/]*@");

  /** One configured resource; the password is never shown by {@link #toString()}. */
  public static final class ResourceConfig {
    private final String name;
    private final String url;
    private final String user;
    private final String password;

    ResourceConfig(String name, String url, String user, String password) {
      this.name = name;
      this.url = url;
      this.user = user;
      this.password = password;
    }

    /** {@return the resource's name, the NAME in its keys} */
    public String name() {
      return name;
    }

    /** {@return the URL to reach it; it holds no password (parsing refuses one)} */
    public String url() {
      return url;
    }

    /** {@return the user, or {@code null}} */
    public String user() {
      return user;
    }

    /**
     * {@return the password, from {@code .password} or the variable {@code .password-env} names;
     * {@code null} when neither is configured} Never log it.
     */
    public String password() {
      return password;
    }

    /** {@return the key its URL was configured under (for error messages)} */
    public String urlKey() {
      return RESOURCE_PREFIX + name + ".url";
    }

    @Override
    public String toString() {
      return name
          + "="
          + url
          + (user == null ? "" : " (user " + user + ")")
          + (password == null ? "" : " (password set)");
    }
  }

  private final boolean startup;
  private final Duration interval;
  private final Duration backoffInitial;
  private final Duration backoffMax;
  private final Map<String, ResourceConfig> resources;
  private final LegacyXids legacyXids;

  private RecoveryConfig(
      boolean startup,
      Duration interval,
      Duration backoffInitial,
      Duration backoffMax,
      Map<String, ResourceConfig> resources,
      LegacyXids legacyXids) {
    this.legacyXids = legacyXids;
    this.startup = startup;
    this.interval = interval;
    this.backoffInitial = backoffInitial;
    this.backoffMax = backoffMax;
    this.resources = Collections.unmodifiableMap(new LinkedHashMap<>(resources));
  }

  /**
   * Parses {@code XatmConfig.recovery()}.
   *
   * @param settings the {@code xatm.recovery.*} settings
   * @param environment where {@code .password-env} names are resolved
   * @return the parsed settings
   * @throws XatmConfigException a key is unknown or a value is invalid; the message names the key
   */
  public static RecoveryConfig parse(
      Map<String, String> settings, Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    SettingsTable table = XatmSettings.TABLE;
    boolean startup = XatmSettings.RECOVERY_STARTUP.defaultValue();
    Duration interval = XatmSettings.RECOVERY_INTERVAL.defaultValue();
    Duration initial = XatmSettings.RECOVERY_BACKOFF_INITIAL.defaultValue();
    Duration max = XatmSettings.RECOVERY_BACKOFF_MAX.defaultValue();
    LegacyXids legacy = legacy(XatmSettings.RECOVERY_LEGACY_XIDS.defaultValue());
    Map<String, Map<String, String>> byName = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().trim();
      Setting<?> s = key.startsWith(PREFIX) ? table.find(key) : null;
      if (s == null) {
        throw table.unknown(key, "recovery settings");
      }
      if (s == XatmSettings.RECOVERY_STARTUP) {
        startup = table.value(XatmSettings.RECOVERY_STARTUP, key, value);
      } else if (s == XatmSettings.RECOVERY_INTERVAL) {
        interval = table.value(XatmSettings.RECOVERY_INTERVAL, key, value);
      } else if (s == XatmSettings.RECOVERY_BACKOFF_INITIAL) {
        initial = table.value(XatmSettings.RECOVERY_BACKOFF_INITIAL, key, value);
      } else if (s == XatmSettings.RECOVERY_BACKOFF_MAX) {
        max = table.value(XatmSettings.RECOVERY_BACKOFF_MAX, key, value);
      } else if (s == XatmSettings.RECOVERY_LEGACY_XIDS) {
        legacy = legacy(table.value(XatmSettings.RECOVERY_LEGACY_XIDS, key, value));
      } else if (s.perInstance() && s.key().startsWith(RESOURCE_PREFIX)) {
        String name = s.match(key);
        String field = s.key().substring(s.key().lastIndexOf('.') + 1);
        byName.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(field, value);
      } else {
        throw table.unknown(key, "recovery settings");
      }
    }
    if (max.compareTo(initial) < 0) {
      throw new XatmConfigException(
          BACKOFF_MAX, max.toString(), "must not be shorter than " + BACKOFF_INITIAL);
    }
    Map<String, ResourceConfig> resources = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, String>> r : byName.entrySet()) {
      resources.put(r.getKey(), resource(r.getKey(), r.getValue(), environment));
    }
    return new RecoveryConfig(startup, interval, initial, max, resources, legacy);
  }

  private static ResourceConfig resource(
      String name, Map<String, String> fields, Map<String, String> env) {
    String base = RESOURCE_PREFIX + name + ".";
    String url = fields.get("url");
    if (url == null || url.isEmpty()) {
      throw new XatmConfigException(base + "url", "", "every recovery resource needs a url");
    }
    if (url.toLowerCase(Locale.ROOT).contains("password=")
        || USERINFO_PASSWORD.matcher(url).find()) {
      throw new XatmConfigException(
          base + "url",
          XatmConfigException.redactUrl(url),
          "it contains a password; put the password in "
              + base
              + "password or "
              + base
              + "password-env, not the URL");
    }
    String user = fields.get("user");
    if (user != null && user.isEmpty()) {
      user = null;
    }
    String password = fields.get("password");
    String envName = fields.get("password-env");
    if (password != null && envName != null) {
      throw new XatmConfigException(
          base + "password-env", envName, "set either " + base + "password or this, not both");
    }
    if (envName != null) {
      if (envName.isEmpty()) {
        throw new XatmConfigException(base + "password-env", "", "names no environment variable");
      }
      password = env.get(envName);
      if (password == null) {
        throw new XatmConfigException(
            base + "password-env", envName, "the environment variable is not set");
      }
    }
    return new ResourceConfig(name, url, user, password);
  }

  private static LegacyXids legacy(String value) {
    return value.equals("presume-abort") ? LegacyXids.PRESUME_ABORT : LegacyXids.KEEP_IN_DOUBT;
  }

  /** {@return whether start runs a full pass before returning} */
  public boolean startup() {
    return startup;
  }

  /** {@return the time between background passes; zero when there are none} */
  public Duration interval() {
    return interval;
  }

  /** {@return the first wait before retrying an unreachable resource} */
  public Duration backoffInitial() {
    return backoffInitial;
  }

  /** {@return the longest wait before retrying an unreachable resource} */
  public Duration backoffMax() {
    return backoffMax;
  }

  /** {@return what recovery does with unrecorded old-layout Xids} */
  public LegacyXids legacyXids() {
    return legacyXids;
  }

  /** {@return the configured resources by name, in name order} */
  public Map<String, ResourceConfig> resources() {
    return resources;
  }

  @Override
  public String toString() {
    return "RecoveryConfig[startup="
        + startup
        + ", interval="
        + interval
        + ", backoff="
        + backoffInitial
        + ".."
        + backoffMax
        + ", legacyXids="
        + legacyXids
        + ", resources="
        + resources.values()
        + "]";
  }
}
