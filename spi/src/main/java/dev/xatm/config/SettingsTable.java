package dev.xatm.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A typed table of settings and the one policy for reading them:
 *
 * <ul>
 *   <li><b>Unknown keys fail.</b> A key in the table's namespace that is not in the table, not an
 *       alias and not reserved is an error naming the nearest known key (edit distance): {@code
 *       xatm.log.dri} gives "did you mean xatm.log.dir?". A prefix that belongs to another table
 *       ({@link Builder#elsewhere}) fails with where it belongs.
 *   <li><b>Environment names</b> are derived: {@code xatm.log.dir} is {@code XATM_LOG_DIR} (upper
 *       case, {@code .} and {@code -} as {@code _}). A per-instance key carries its name verbatim
 *       between double underscores, so every name can be written: {@code
 *       XATM_RECOVERY_RESOURCE__bank-a__URL}, {@code XATM_RECOVERY_RESOURCE__Bank.EU__URL}; a name
 *       of upper-case letters and digits only may also be written {@code
 *       XATM_RECOVERY_RESOURCE_BANK_URL} (meaning {@code bank}).
 *   <li><b>Old spellings</b> ({@link Builder#alias}) are accepted with a WARNING naming the new key
 *       and the value in the new syntax, for one release.
 * </ul>
 *
 * <p>Immutable and thread-safe once built. Errors are made by the table's {@link Errors}, so each
 * module throws its own exception type.
 */
public final class SettingsTable {
  private static final System.Logger LOG = System.getLogger(SettingsTable.class.getName());

  /** How a module reports a bad setting. */
  public interface Errors {
    /**
     * {@return the exception to throw for a known key with a bad value}
     *
     * @param key the key (or environment variable) as given
     * @param value the bad value; may be {@code null}
     * @param reason what the value breaks, from the setting's parser or rule
     */
    RuntimeException invalid(String key, String value, String reason);

    /**
     * {@return the exception to throw for an unknown key} Its value must not be shown (it may be a
     * misspelled secret).
     *
     * @param key the key (or environment variable) as given
     * @param reason why it is refused: the nearest known key, or where it belongs
     */
    RuntimeException unknown(String key, String reason);
  }

  /** An old key, the setting it became and how its value is written now. */
  private record Alias(String oldKey, Setting<?> now, Function<String, String> convert) {}

  private final String namespace;
  private final String envNamespace;
  private final List<Setting<?>> settings;
  private final Map<String, Setting<?>> byKey;
  private final Map<String, Setting<?>> byEnv;
  private final Map<String, Alias> aliases;
  private final Map<String, String> elsewhere;
  private final List<String> reservedKeys;
  private final List<String> reservedEnv;
  private final Errors errors;
  private final boolean environment;

  private SettingsTable(Builder b) {
    environment = b.environment;
    namespace = b.namespace;
    envNamespace = b.namespace.toUpperCase(Locale.ROOT).replace('.', '_');
    settings = List.copyOf(b.settings);
    aliases = Map.copyOf(b.aliases);
    elsewhere = Map.copyOf(b.elsewhere);
    reservedKeys = List.copyOf(b.reservedKeys);
    reservedEnv = List.copyOf(b.reservedEnv);
    errors = Objects.requireNonNull(b.errors, "errors");
    Map<String, Setting<?>> keys = new LinkedHashMap<>();
    Map<String, Setting<?>> env = new LinkedHashMap<>();
    for (Setting<?> s : settings) {
      if (!s.key().startsWith(namespace)) {
        throw new IllegalArgumentException(s.key() + " is outside " + namespace);
      }
      if (keys.put(s.key(), s) != null) {
        throw new IllegalArgumentException("two settings " + s.key());
      }
      Setting<?> clash = env.put(envName(s, "x"), s);
      if (clash != null) {
        throw new IllegalArgumentException(
            s.key() + " and " + clash.key() + " have one environment name");
      }
    }
    byKey = keys;
    byEnv = env;
  }

  /**
   * {@return a builder of a table for keys starting with {@code namespace}}
   *
   * @param namespace the key prefix, ending in a dot (e.g. {@code xatm.}); the environment prefix
   *     is derived from it ({@code XATM_})
   * @param errors how the table's errors are made; not {@code null}
   */
  public static Builder builder(String namespace, Errors errors) {
    return new Builder(namespace, errors);
  }

  /** {@return every setting, in table order (the README's order)} */
  public List<Setting<?>> settings() {
    return settings;
  }

  /** {@return the namespace, e.g. {@code xatm.}} */
  public String namespace() {
    return namespace;
  }

  /**
   * {@return the setting {@code key} is, or is an instance of; {@code null} for none}
   *
   * @param key a concrete key
   * @throws RuntimeException (from {@link Errors#unknown}) a per-instance key whose name has
   *     characters other than {@link Setting#NAME_CHARS}
   */
  public Setting<?> find(String key) {
    Setting<?> s = byKey.get(key);
    if (s != null && !s.perInstance()) {
      return s;
    }
    for (Setting<?> p : settings) {
      String name = p.perInstance() ? p.match(key) : null;
      if (name != null) {
        if (!Setting.validName(name)) {
          throw errors.unknown(key, "instance names are " + Setting.NAME_CHARS);
        }
        return p;
      }
    }
    return null;
  }

  /**
   * {@return whether the key is reserved: not a setting, ignored by this table (e.g. {@code
   * xatm.config})}
   *
   * @param key a concrete key
   */
  public boolean reserved(String key) {
    return reservedKeys.stream().anyMatch(r -> r.endsWith(".") ? key.startsWith(r) : key.equals(r));
  }

  /**
   * Checks and canonicalises a map of settings (keys of other namespaces are left out): unknown
   * keys fail naming the nearest key; aliases become their new key with a WARNING; reserved keys
   * are dropped.
   *
   * @param raw the settings as read; a {@code null} value counts as empty
   * @param source where the map came from, for messages ({@code "xatm.properties"})
   * @return the settings of this namespace under their current keys, values trimmed, sorted by the
   *     keys as given
   * @throws RuntimeException (from {@link Errors#unknown}) a key of this namespace that is unknown
   */
  public Map<String, String> canonical(Map<String, String> raw, String source) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(raw).entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().trim();
      if (!key.startsWith(namespace) || reserved(key)) {
        continue;
      }
      Alias alias = aliases.get(key);
      if (alias != null) {
        String now = alias.convert().apply(value);
        LOG.log(
            System.Logger.Level.WARNING,
            key
                + " ("
                + source
                + ") is an old spelling, accepted for one release: write "
                + alias.now().key()
                + "="
                + now
                + " instead");
        out.put(alias.now().key(), now);
        continue;
      }
      if (find(key) == null) {
        throw unknown(key, source);
      }
      out.put(key, value);
    }
    return out;
  }

  /**
   * {@return the error for an unknown key, naming where it belongs or the nearest known key} It is
   * returned, not thrown.
   *
   * @param key the unknown key
   * @param source where the key came from, for the message
   */
  public RuntimeException unknown(String key, String source) {
    for (Map.Entry<String, String> e : elsewhere.entrySet()) {
      if (key.startsWith(e.getKey())) {
        return errors.unknown(key, "not a setting here (" + source + "): " + e.getValue());
      }
    }
    return errors.unknown(
        key, "unknown setting (" + source + "); did you mean " + nearest(key) + "?");
  }

  /**
   * Parses a value of {@code key}, an instance of {@code s}.
   *
   * @param <T> the setting's value type
   * @param s the setting
   * @param key the concrete key, for the message
   * @param raw the value; {@code null} is parsed as empty
   * @return the parsed value
   * @throws RuntimeException (from {@link Errors#invalid}) the value is bad; the message names the
   *     key and the value
   */
  public <T> T value(Setting<T> s, String key, String raw) {
    try {
      return s.parse(raw == null ? "" : raw);
    } catch (IllegalArgumentException e) {
      throw errors.invalid(key, raw, e.getMessage());
    }
  }

  /**
   * {@return the known key nearest to {@code key} by edit distance} A per-instance key keeps its
   * instance name. {@code null} when the table is empty.
   *
   * @param key a key that is not in the table
   */
  public String nearest(String key) {
    return nearest(key, candidates(key));
  }

  /**
   * {@return the one of {@code candidates} nearest to {@code word} by edit distance (the first on a
   * tie), or {@code null} when there are none}
   *
   * @param word the misspelled word
   * @param candidates the known words
   */
  public static String nearest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(word, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  private List<String> candidates(String key) {
    List<String> out = new ArrayList<>();
    for (Setting<?> s : settings) {
      if (!s.perInstance()) {
        out.add(s.key());
        continue;
      }
      String head = s.key().substring(0, s.key().indexOf(Setting.NAME));
      String name = "NAME";
      if (key.startsWith(head) && key.length() > head.length()) {
        String rest = key.substring(head.length());
        int dot = rest.lastIndexOf('.');
        name = dot > 0 ? rest.substring(0, dot) : rest;
      }
      out.add(s.keyFor(name));
    }
    return out;
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /**
   * {@return the environment variable of a setting, e.g. {@code XATM_LOG_DIR}} A per-instance
   * setting shows {@code <name>} as its instance.
   *
   * @param s a setting of this table
   */
  public String envName(Setting<?> s) {
    return envName(s, "<name>");
  }

  /**
   * {@return the environment variable of an instance, e.g. {@code
   * XATM_RECOVERY_RESOURCE__bank-a__URL}} For a plain setting the name is ignored.
   *
   * @param s a setting of this table
   * @param name the instance name, written verbatim
   */
  public String envName(Setting<?> s, String name) {
    String key = s.key();
    int at = key.indexOf(Setting.NAME);
    if (at < 0) {
      return plainEnv(key);
    }
    String head = plainEnv(key.substring(0, at));
    String tail = plainEnv(namespace + key.substring(at + Setting.NAME.length()));
    return strip(head) + "__" + name + "__" + strip(tail.substring(envNamespace.length()));
  }

  private String plainEnv(String key) {
    return envNamespace
        + key.substring(namespace.length())
            .toUpperCase(Locale.ROOT)
            .replace('.', '_')
            .replace('-', '_');
  }

  private static String strip(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && s.charAt(from) == '_') {
      from++;
    }
    while (to > from && s.charAt(to - 1) == '_') {
      to--;
    }
    return s.substring(from, to);
  }

  /**
   * The settings in an environment: every variable starting with the namespace (e.g. {@code XATM_})
   * maps to its key; reserved ones are skipped.
   *
   * @param environment the variables, normally {@link System#getenv()}
   * @param tolerated unknown variables that are not settings (e.g. one a {@code password-env}
   *     names); any other unknown one fails, naming the nearest known variable
   * @return key to value (values trimmed); empty when the table was built {@link
   *     Builder#withoutEnvironment()}
   * @throws RuntimeException (from {@link Errors#unknown}) an unknown variable that is not
   *     tolerated, or an instance name that cannot be read
   */
  public Map<String, String> fromEnvironment(
      Map<String, String> environment, Predicate<String> tolerated) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!this.environment) {
      return out;
    }
    for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith(envNamespace) || reservedEnv(name)) {
        continue;
      }
      String key = keyOfEnv(name, tolerated);
      if (key != null) {
        out.put(key, e.getValue() == null ? "" : e.getValue().trim());
      }
    }
    return out;
  }

  private boolean reservedEnv(String name) {
    return reservedEnv.stream()
        .anyMatch(r -> r.endsWith("_") ? name.startsWith(r) : name.equals(r));
  }

  private String keyOfEnv(String name, Predicate<String> tolerated) {
    Setting<?> plain = byEnv.get(name);
    if (plain != null && !plain.perInstance()) {
      return plain.key();
    }
    for (Setting<?> s : settings) {
      if (!s.perInstance()) {
        continue;
      }
      String delimited = envName(s, "\u0000");
      String head = delimited.substring(0, delimited.indexOf('\u0000'));
      String field = delimited.substring(delimited.indexOf('\u0000') + 1); // "__URL"
      if (name.startsWith(head)) {
        if (!name.endsWith(field) || name.length() <= head.length() + field.length()) {
          continue;
        }
        String instance = name.substring(head.length(), name.length() - field.length());
        if (!Setting.validName(instance)) {
          throw errors.unknown(
              name, "environment variable: instance names are " + Setting.NAME_CHARS);
        }
        return s.keyFor(instance);
      }
      // The short form: XATM_RECOVERY_RESOURCE_BANK_URL for a name of A-Z and 0-9 only.
      String shortHead = head.substring(0, head.length() - 1); // one underscore
      String shortTail = field.substring(1);
      if (name.startsWith(shortHead)
          && !name.startsWith(head)
          && name.endsWith(shortTail)
          && name.length() > shortHead.length() + shortTail.length()) {
        String middle = name.substring(shortHead.length(), name.length() - shortTail.length());
        if (middle.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
          return s.keyFor(middle.toLowerCase(Locale.ROOT));
        }
        String guess = middle.toLowerCase(Locale.ROOT);
        throw errors.unknown(
            name,
            "environment variable: the resource name is ambiguous in this form; write the name verbatim between double"
                + " underscores, e.g. "
                + envName(s, guess)
                + " for "
                + s.keyFor(guess));
      }
    }
    if (tolerated.test(name)) {
      return null;
    }
    throw errors.unknown(
        name, "unknown environment variable; did you mean " + nearestEnv(name) + "?");
  }

  private String nearestEnv(String name) {
    return nearest(name, settings.stream().map(s -> envName(s, "<name>")).toList());
  }

  /**
   * {@return the README table in Markdown} Columns: key, environment variable (unless the table has
   * none), default, doc; one row per setting, in table order.
   */
  public String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append(
        environment
            ? "| key | environment | default | meaning |\n|---|---|---|---|\n"
            : "| key | default | meaning |\n|---|---|---|\n");
    for (Setting<?> s : settings) {
      String def =
          s.defaultText() == null
              ? "—"
              : s.defaultValue() == null ? s.defaultText() : "`" + s.defaultText() + "`";
      sb.append("| `").append(s.key()).append("` | ");
      if (environment) {
        sb.append('`').append(envName(s)).append("` | ");
      }
      sb.append(def).append(" | ").append(s.doc()).append(" |\n");
    }
    return sb.toString();
  }

  /** Builds a table. Not thread-safe. */
  public static final class Builder {
    private final String namespace;
    private final Errors errors;
    private final List<Setting<?>> settings = new ArrayList<>();
    private final Map<String, Alias> aliases = new LinkedHashMap<>();
    private final Map<String, String> elsewhere = new LinkedHashMap<>();
    private final List<String> reservedKeys = new ArrayList<>();
    private final List<String> reservedEnv = new ArrayList<>();
    private boolean environment = true;

    private Builder(String namespace, Errors errors) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      this.errors = errors;
    }

    /**
     * Adds settings, in README order. The table refuses, when built, a key outside the namespace, a
     * key twice, or two keys with one environment name.
     *
     * @param s the settings
     * @return this builder
     */
    public Builder add(Setting<?>... s) {
      settings.addAll(List.of(s));
      return this;
    }

    /**
     * Accepts an old key for one release, with a WARNING naming the new key.
     *
     * @param oldKey the old spelling
     * @param now the setting it became
     * @param convert writes an old value in the new syntax
     * @return this builder
     */
    public Builder alias(String oldKey, Setting<?> now, Function<String, String> convert) {
      aliases.put(oldKey, new Alias(oldKey, now, convert));
      return this;
    }

    /**
     * Declares that keys under {@code prefix} belong to another table, so an unknown one fails
     * saying where it goes.
     *
     * @param prefix the key prefix
     * @param where where such keys are set, for the message
     * @return this builder
     */
    public Builder elsewhere(String prefix, String where) {
      elsewhere.put(prefix, where);
      return this;
    }

    /**
     * Reserves a key (or, ending in '.', a prefix) that is no setting and is ignored: {@code
     * xatm.config}.
     *
     * @param keyOrPrefix the key, or a prefix ending in '.'
     * @return this builder
     */
    public Builder reserveKey(String keyOrPrefix) {
      reservedKeys.add(keyOrPrefix);
      return this;
    }

    /**
     * Reserves an environment variable (or, ending in '_', a prefix) that is no setting and is
     * ignored.
     *
     * @param nameOrPrefix the variable, or a prefix ending in '_'
     * @return this builder
     */
    public Builder reserveEnv(String nameOrPrefix) {
      reservedEnv.add(nameOrPrefix);
      return this;
    }

    /**
     * Makes a table whose settings are never read from the environment (e.g. per-DataSource pool
     * settings); its README table has no environment column.
     *
     * @return this builder
     */
    public Builder withoutEnvironment() {
      environment = false;
      return this;
    }

    /**
     * {@return the table}
     *
     * @throws IllegalArgumentException a key outside the namespace, a key twice, or two settings
     *     with one environment name
     * @throws NullPointerException no {@link Errors} was given
     */
    public SettingsTable build() {
      return new SettingsTable(this);
    }
  }
}
