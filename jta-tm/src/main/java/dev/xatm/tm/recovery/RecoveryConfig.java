package dev.xatm.tm.recovery;

import dev.xatm.tm.XatmConfigException;
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
 * <table>
 *   <caption>Keys</caption>
 *   <tr><td>xatm.recovery.startup</td><td>true: one full pass before start returns</td></tr>
 *   <tr><td>xatm.recovery.interval</td><td>60s between background passes; 0 = none</td></tr>
 *   <tr><td>xatm.recovery.backoff.initial / .max</td><td>1s / 5m: per unreachable resource</td></tr>
 *   <tr><td>xatm.recovery.legacy-xids</td><td>keep-in-doubt (default) or presume-abort: unrecorded
 *       old-layout Xids ({@link LegacyXids})</td></tr>
 *   <tr><td>xatm.recovery.resource.NAME.url</td><td>jdbc:xa:... (any URL a connector accepts)</td></tr>
 *   <tr><td>xatm.recovery.resource.NAME.user</td><td>optional</td></tr>
 *   <tr><td>xatm.recovery.resource.NAME.password</td><td>optional; empty = no password</td></tr>
 *   <tr><td>xatm.recovery.resource.NAME.password-env</td><td>name of an environment variable
 *       holding the password, read at load</td></tr>
 * </table>
 *
 * <p>Immutable; {@link #toString()} never shows a password.
 */
public final class RecoveryConfig {
  public static final String PREFIX = "xatm.recovery.";
  public static final String STARTUP = PREFIX + "startup";
  public static final String INTERVAL = PREFIX + "interval";
  public static final String BACKOFF_INITIAL = PREFIX + "backoff.initial";
  public static final String BACKOFF_MAX = PREFIX + "backoff.max";
  public static final String RESOURCE_PREFIX = PREFIX + "resource.";
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

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

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

    public String name() {
      return name;
    }

    public String url() {
      return url;
    }

    /** The user, or {@code null}. */
    public String user() {
      return user;
    }

    /** The password, or {@code null} when none is configured. Never log it. */
    public String password() {
      return password;
    }

    /** The key its URL was configured under (for error messages). */
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
   * @param environment where {@code .password-env} names are resolved
   * @throws XatmConfigException a key is unknown or a value is invalid; the message names the key
   */
  public static RecoveryConfig parse(
      Map<String, String> settings, Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    boolean startup = true;
    Duration interval = Duration.ofSeconds(60);
    Duration initial = Duration.ofSeconds(1);
    Duration max = Duration.ofMinutes(5);
    LegacyXids legacy = LegacyXids.KEEP_IN_DOUBT;
    Map<String, Map<String, String>> byName = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().trim();
      switch (key) {
        case STARTUP -> startup = bool(key, value);
        case INTERVAL -> interval = duration(key, value, true);
        case BACKOFF_INITIAL -> initial = duration(key, value, false);
        case BACKOFF_MAX -> max = duration(key, value, false);
        case LEGACY_XIDS ->
            legacy =
                switch (value) {
                  case "keep-in-doubt" -> LegacyXids.KEEP_IN_DOUBT;
                  case "presume-abort" -> LegacyXids.PRESUME_ABORT;
                  default ->
                      throw new XatmConfigException(
                          key, value, "must be keep-in-doubt or presume-abort");
                };
        default -> {
          if (!key.startsWith(RESOURCE_PREFIX)) {
            throw XatmConfigException.unknownKey(
                key,
                "unknown recovery setting (known: startup, interval, backoff.initial, backoff.max,"
                    + " legacy-xids,"
                    + " resource.NAME.url/user/password/password-env)");
          }
          String rest = key.substring(RESOURCE_PREFIX.length());
          int dot = rest.indexOf('.');
          String name = dot < 0 ? rest : rest.substring(0, dot);
          String field = dot < 0 ? "" : rest.substring(dot + 1);
          if (!NAME.matcher(name).matches()) {
            throw XatmConfigException.unknownKey(
                key, "resource names are letters, digits, - and _");
          }
          if (field.equals("password.env")) {
            field = "password-env"; // XATM_RECOVERY_RESOURCE_X_PASSWORD_ENV from the environment
          }
          if (!field.equals("url")
              && !field.equals("user")
              && !field.equals("password")
              && !field.equals("password-env")) {
            throw XatmConfigException.unknownKey(
                key, "unknown resource setting (known: url, user, password, password-env)");
          }
          byName.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(field, value);
        }
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

  private static boolean bool(String key, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new XatmConfigException(key, v, "must be true or false");
    };
  }

  /** Durations as in XatmConfig: 500ms, 30s, 5m, 1h, or a plain number of seconds. */
  static Duration duration(String key, String v, boolean zeroAllowed) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    Duration d;
    try {
      if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
      } else if (s.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()));
      } else if (s.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1).trim()));
      } else if (s.endsWith("h")) {
        d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1).trim()));
      } else {
        d = Duration.ofSeconds(Long.parseLong(s));
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw new XatmConfigException(key, v, "not a duration (e.g. 500ms, 30s, 5m, 1h)");
    }
    if (d.isNegative() || (d.isZero() && !zeroAllowed)) {
      throw new XatmConfigException(key, v, zeroAllowed ? "must not be negative" : "must be > 0");
    }
    return d;
  }

  /** Whether start runs a full pass before returning. */
  public boolean startup() {
    return startup;
  }

  /** Time between background passes; zero when there are none. */
  public Duration interval() {
    return interval;
  }

  public Duration backoffInitial() {
    return backoffInitial;
  }

  public Duration backoffMax() {
    return backoffMax;
  }

  /** What recovery does with unrecorded old-layout Xids. */
  public LegacyXids legacyXids() {
    return legacyXids;
  }

  /** Configured resources by name, in name order. */
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
