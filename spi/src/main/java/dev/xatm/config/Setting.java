package dev.xatm.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One setting: its key, value type, default, and a one-line doc (the README row). A key may hold
 * one {@code <name>} segment, a per-instance setting such as {@code
 * xatm.recovery.resource.<name>.url}; the name is then any of {@link #NAME_CHARS}.
 *
 * <pre>{@code
 * Setting<Duration> timeout =
 *     Setting.duration("xatm.transaction.default-timeout", Duration.ofSeconds(60), "timeout")
 *         .positive();
 * Duration d = timeout.parse("30s");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the parsed value's type
 */
public final class Setting<T> {
  /** The placeholder of a per-instance key. */
  public static final String NAME = "<name>";

  /** What an instance name may contain (a resource named {@code Bank.EU} or {@code bank-a}). */
  public static final String NAME_CHARS = "letters, digits, '.', '-' and '_'";

  private final String key;
  private final String type;
  private final T defaultValue;
  private final String defaultText;
  private final String doc;
  private final Function<String, T> parser;
  private final Function<T, String> formatter;
  private final Predicate<T> rule;
  private final String ruleText;

  private Setting(
      String key,
      String type,
      T defaultValue,
      String defaultText,
      String doc,
      Function<String, T> parser,
      Function<T, String> formatter,
      Predicate<T> rule,
      String ruleText) {
    this.key = Objects.requireNonNull(key, "key");
    this.type = type;
    this.defaultValue = defaultValue;
    this.defaultText = defaultText;
    this.doc = Objects.requireNonNull(doc, "doc");
    this.parser = parser;
    this.formatter = formatter;
    this.rule = rule;
    this.ruleText = ruleText;
    int at = key.indexOf(NAME);
    if (at >= 0 && key.indexOf(NAME, at + 1) >= 0) {
      throw new IllegalArgumentException("at most one " + NAME + " in " + key);
    }
  }

  private static <T> Setting<T> of(
      String key, String type, T def, String doc, Function<String, T> p, Function<T, String> f) {
    return new Setting<>(
        key, type, def, def == null ? null : f.apply(def), doc, p, f, v -> true, "");
  }

  /**
   * {@return a duration setting, such as {@code 30s}} Negative values are refused; the syntax is
   * {@link SettingValues#duration}.
   *
   * @param key the key, with at most one {@code <name>} segment
   * @param def the default, or {@code null} for none
   * @param doc the one-line doc (the README row)
   */
  public static Setting<Duration> duration(String key, Duration def, String doc) {
    return of(key, "duration", def, doc, SettingValues::duration, SettingValues::formatDuration)
        .rule(d -> !d.isNegative(), "must not be negative");
  }

  /**
   * {@return a size setting in bytes, such as {@code 16MiB}} Negative values are refused; the
   * syntax is {@link SettingValues#size}.
   *
   * @param key the key, with at most one {@code <name>} segment
   * @param def the default, or {@code null} for none
   * @param doc the one-line doc (the README row)
   */
  public static Setting<Long> size(String key, Long def, String doc) {
    return of(key, "size", def, doc, SettingValues::size, SettingValues::formatSize)
        .rule(s -> s >= 0, "must not be negative");
  }

  /**
   * {@return a boolean setting: {@code true} or {@code false}, ignoring case}
   *
   * @param key the key, with at most one {@code <name>} segment
   * @param def the default
   * @param doc the one-line doc (the README row)
   */
  public static Setting<Boolean> bool(String key, boolean def, String doc) {
    return of(key, "boolean", def, doc, SettingValues::bool, String::valueOf);
  }

  /**
   * {@return an integer setting whose values must lie between {@code min} and {@code max}}
   *
   * @param key the key, with at most one {@code <name>} segment
   * @param def the default
   * @param min the smallest value accepted
   * @param max the largest value accepted
   * @param doc the one-line doc (the README row)
   */
  public static Setting<Integer> integer(String key, int def, int min, int max, String doc) {
    return of(key, "integer", def, doc, SettingValues::integer, String::valueOf)
        .rule(i -> i >= min && i <= max, "must be between " + min + " and " + max);
  }

  /**
   * {@return a free-text setting}
   *
   * @param key the key, with at most one {@code <name>} segment
   * @param def the default, or {@code null} (unset)
   * @param doc the one-line doc (the README row)
   */
  public static Setting<String> string(String key, String def, String doc) {
    return of(key, "string", def, doc, Function.identity(), Function.identity());
  }

  /**
   * {@return a setting whose value is one of {@code choices}} A value is matched ignoring case and
   * parsed to the choice as spelled here.
   *
   * @param key the key, with at most one {@code <name>} segment
   * @param def the default, one of {@code choices}
   * @param doc the one-line doc (the README row)
   * @param choices the accepted values; the docs show them as the type, {@code a | b}
   */
  public static Setting<String> choice(String key, String def, String doc, String... choices) {
    List<String> list = List.of(choices);
    String text = String.join(" | ", list);
    return new Setting<>(
        key,
        text,
        def,
        def,
        doc,
        v -> {
          for (String c : list) {
            if (c.equalsIgnoreCase(v)) {
              return c;
            }
          }
          throw new IllegalArgumentException("must be " + String.join(" or ", list));
        },
        Function.identity(),
        v -> true,
        "");
  }

  /**
   * {@return a file system path setting}
   *
   * @param key the key, with at most one {@code <name>} segment
   * @param def the default, or {@code null} (unset)
   * @param doc the one-line doc (the README row)
   */
  public static Setting<Path> path(String key, Path def, String doc) {
    return of(
        key,
        "path",
        def,
        doc,
        v -> {
          try {
            return Path.of(v);
          } catch (InvalidPathException e) {
            throw new IllegalArgumentException("not a valid path: " + e.getReason());
          }
        },
        Path::toString);
  }

  /**
   * {@return a copy of this setting whose values must also pass {@code extra}}
   *
   * @param extra the added check
   * @param text what the rules require, as {@link #parse} reports it when a value fails; it
   *     replaces the text of the rules added before, so it should state all of them
   */
  public Setting<T> rule(Predicate<T> extra, String text) {
    Predicate<T> both = rule.and(extra);
    return new Setting<>(key, type, defaultValue, defaultText, doc, parser, formatter, both, text);
  }

  /**
   * {@return a copy of this setting that also refuses zero} For durations and sizes only: on any
   * other type the check fails with a {@link ClassCastException} when a value is parsed.
   */
  public Setting<T> positive() {
    return rule(
        v ->
            v instanceof Duration d ? !d.isZero() && !d.isNegative() : ((Number) v).longValue() > 0,
        "must be positive");
  }

  /**
   * {@return a copy of this setting whose default is described in words} For a default computed
   * from other settings.
   *
   * @param text how the docs describe the default
   */
  public Setting<T> defaultText(String text) {
    return new Setting<>(key, type, defaultValue, text, doc, parser, formatter, rule, ruleText);
  }

  /**
   * Parses and checks a value (surrounding blanks ignored).
   *
   * @param raw the value as written; not {@code null}
   * @return the parsed value
   * @throws IllegalArgumentException the reason, without key or value (the table adds them)
   */
  public T parse(String raw) {
    T v = parser.apply(raw.trim());
    if (!rule.test(v)) {
      throw new IllegalArgumentException(ruleText);
    }
    return v;
  }

  /**
   * {@return {@code value} written in this setting's syntax ({@code 30s}, {@code 16MiB})}
   *
   * @param value a value of this setting
   */
  public String format(T value) {
    return formatter.apply(value);
  }

  /** {@return the key, e.g. {@code xatm.log.dir} or {@code xatm.recovery.resource.<name>.url}} */
  public String key() {
    return key;
  }

  /**
   * {@return the value type as the docs name it: duration, size, boolean, integer, path, string, or
   * the choices as {@code a | b}}
   */
  public String type() {
    return type;
  }

  /**
   * {@return the default, or {@code null} when there is none or it is computed (see {@link
   * #defaultText()})}
   */
  public T defaultValue() {
    return defaultValue;
  }

  /** {@return the default as the docs show it, or {@code null} for none} */
  public String defaultText() {
    return defaultText;
  }

  /** {@return the one-line doc, the README row's meaning column} */
  public String doc() {
    return doc;
  }

  /** {@return whether the key has a {@code <name>} segment} */
  public boolean perInstance() {
    return key.contains(NAME);
  }

  /**
   * Matches a concrete key against this setting's key.
   *
   * @param candidate a concrete key, such as {@code xatm.recovery.resource.bank.url}
   * @return for a per-instance setting, the instance name in {@code candidate} if it is an instance
   *     of this key (not checked against {@link #NAME_CHARS}), else {@code null}; for others,
   *     {@code ""} on an exact match, else {@code null}
   */
  public String match(String candidate) {
    int at = key.indexOf(NAME);
    if (at < 0) {
      return key.equals(candidate) ? "" : null;
    }
    String head = key.substring(0, at);
    String tail = key.substring(at + NAME.length());
    if (candidate.length() <= head.length() + tail.length()
        || !candidate.startsWith(head)
        || !candidate.endsWith(tail)) {
      return null;
    }
    return candidate.substring(head.length(), candidate.length() - tail.length());
  }

  /**
   * {@return the key of one instance: this key with {@code <name>} replaced by {@code name}}
   *
   * @param name the instance name (not checked)
   */
  public String keyFor(String name) {
    return key.replace(NAME, name);
  }

  /**
   * {@return whether {@code name} is a valid instance name: not empty, and only {@link
   * #NAME_CHARS}}
   *
   * @param name the name to check
   */
  public static boolean validName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '-'
              || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return key + " (" + type + (defaultText == null ? "" : ", default " + defaultText) + ")";
  }
}
