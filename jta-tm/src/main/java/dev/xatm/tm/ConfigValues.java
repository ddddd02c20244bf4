package dev.xatm.tm;

import java.time.Duration;
import java.util.Locale;

/** Parsers for property values; errors name the property and the value. */
final class ConfigValues {
  private ConfigValues() {}

  static int integer(String key, String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new XatmConfigException(key, v, "not an integer");
    }
  }

  static boolean bool(String key, String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new XatmConfigException(key, v, "must be true or false");
    };
  }

  static Duration duration(String key, String v) {
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
      } else if (s.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()));
      } else if (s.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1).trim()));
      } else if (s.endsWith("h")) {
        return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1).trim()));
      }
      return Duration.ofSeconds(Long.parseLong(s));
    } catch (NumberFormatException | ArithmeticException e) {
      throw new XatmConfigException(key, v, "not a duration (e.g. 500ms, 30s, 5m, 1h)");
    }
  }

  static long size(String key, String v) {
    String s = v.trim();
    String lower = s.toLowerCase(Locale.ROOT);
    long unit = 1;
    String[][] suffixes = {
      {"kib", "1024"},
      {"mib", "1048576"},
      {"gib", "1073741824"},
      {"k", "1024"},
      {"m", "1048576"},
      {"g", "1073741824"},
      {"b", "1"}
    };
    for (String[] suf : suffixes) {
      if (lower.endsWith(suf[0])) {
        unit = Long.parseLong(suf[1]);
        s = s.substring(0, s.length() - suf[0].length()).trim();
        break;
      }
    }
    try {
      return Math.multiplyExact(Long.parseLong(s), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new XatmConfigException(key, v, "not a size (e.g. 16MiB, 65536)");
    }
  }
}
