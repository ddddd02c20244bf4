package dev.xatm.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value syntax of every xatm setting. Each parser throws {@link IllegalArgumentException} with
 * the reason only; {@link SettingsTable} adds the key and the value. Stateless.
 */
public final class SettingValues {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kib|m|mib|g|gib)?");
  private static final String DURATION_EXAMPLES = "e.g. 500ms, 30s, 2m, 1h, 1d";

  private SettingValues() {}

  /**
   * Parses a duration: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}, or {@code
   * 0}, ignoring case and surrounding blanks. A bare number other than 0 is refused: seconds to one
   * reader, milliseconds to another (Spring Boot).
   *
   * @param v the text to parse
   * @return the duration, never negative
   * @throws IllegalArgumentException not a duration, no unit, or too large
   */
  public static Duration duration(String v) {
    Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration (" + DURATION_EXAMPLES + ")");
    }
    long n;
    try {
      n = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("too large a duration");
    }
    String unit = m.group(2);
    if (unit == null) {
      if (n == 0) {
        return Duration.ZERO;
      }
      throw new IllegalArgumentException(
          "a duration needs a unit: " + n + "s or " + n + "ms? (" + DURATION_EXAMPLES + ")");
    }
    try {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("too large a duration");
    }
  }

  /**
   * {@return the shortest exact form of {@code d}: {@code 30s}, {@code 500ms}, {@code 5m}, {@code
   * 0}} Precision below a millisecond is dropped.
   *
   * @param d the duration to write
   */
  public static String formatDuration(Duration d) {
    if (d.isZero()) {
      return "0";
    }
    long ms = d.toMillis();
    if (ms % 86_400_000L == 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms % 3_600_000L == 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms % 60_000L == 0) {
      return ms / 60_000L + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  /**
   * Parses a size: bytes, or with {@code KiB}/{@code MiB}/{@code GiB} ({@code K}, {@code M}, {@code
   * G}), binary multiples, ignoring case and surrounding blanks.
   *
   * @param v the text to parse
   * @return the size in bytes, never negative
   * @throws IllegalArgumentException not a size, or too large for a {@code long}
   */
  public static long size(String v) {
    Matcher m = SIZE.matcher(v.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size (e.g. 16MiB, 512KiB, 65536)");
    }
    String unit = m.group(2) == null ? "b" : m.group(2);
    long factor =
        switch (unit) {
          case "k", "kib" -> 1L << 10;
          case "m", "mib" -> 1L << 20;
          case "g", "gib" -> 1L << 30;
          default -> 1;
        };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), factor);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("too large a size");
    }
  }

  /**
   * {@return the shortest exact form of {@code bytes}: {@code 16MiB}, {@code 512KiB}, {@code 1000}}
   *
   * @param bytes the size to write
   */
  public static String formatSize(long bytes) {
    if (bytes != 0 && bytes % (1L << 30) == 0) {
      return bytes / (1L << 30) + "GiB";
    }
    if (bytes != 0 && bytes % (1L << 20) == 0) {
      return bytes / (1L << 20) + "MiB";
    }
    if (bytes != 0 && bytes % (1L << 10) == 0) {
      return bytes / (1L << 10) + "KiB";
    }
    return Long.toString(bytes);
  }

  /**
   * Parses {@code true} or {@code false}, ignoring case and surrounding blanks.
   *
   * @param v the text to parse
   * @return the value
   * @throws IllegalArgumentException anything else (no {@code yes}, {@code 1} or {@code on})
   */
  public static boolean bool(String v) {
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("must be true or false");
    };
  }

  /**
   * Parses a whole number in decimal, ignoring surrounding blanks.
   *
   * @param v the text to parse
   * @return the number
   * @throws IllegalArgumentException not a whole number, or outside the {@code int} range
   */
  public static int integer(String v) {
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a whole number");
    }
  }
}
