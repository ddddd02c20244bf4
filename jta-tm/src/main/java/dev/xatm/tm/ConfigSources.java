package dev.xatm.tm;

import dev.xatm.config.SettingsTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The one precedence of every entry point (README "Configuration"), highest first: code (the
 * builder, a Spring customizer) &gt; {@code -Dxatm.*} system properties &gt; {@code XATM_*}
 * environment &gt; the properties given (the {@code xatm.properties} file, a map, Spring's property
 * sources) &gt; the table's defaults. Each layer is checked against {@link XatmSettings#TABLE}
 * before it is merged: an unknown key fails naming the layer and the nearest key.
 *
 * <p>Stateless.
 */
final class ConfigSources {
  private ConfigSources() {}

  private static final SettingsTable TABLE = XatmSettings.TABLE;

  /** The file: {@code -Dxatm.config}, else {@code XATM_CONFIG}, else classpath xatm.properties. */
  static Map<String, String> file(
      Map<String, String> systemProperties, Map<String, String> environment, ClassLoader loader) {
    Map<String, String> props = new LinkedHashMap<>();
    String file = systemProperties.get(XatmConfig.CONFIG_FILE_PROPERTY);
    String named = XatmConfig.CONFIG_FILE_PROPERTY;
    if (file == null && environment.get("XATM_CONFIG") != null) {
      file = environment.get("XATM_CONFIG");
      named = "XATM_CONFIG";
    }
    if (file != null) {
      readFile(file, named, props);
    } else if (loader != null) {
      try (InputStream in = loader.getResourceAsStream("xatm.properties")) {
        if (in != null) {
          read(in, props);
        }
      } catch (IOException e) {
        throw new XatmConfigException("reading xatm.properties from the class path failed", e);
      }
    }
    return props;
  }

  /**
   * Merges the layers above {@code given} (which takes the file's place) and checks every key.
   *
   * @param systemProperties all of them; only {@code xatm.*} ones are read
   * @param environment all of it; only {@code XATM_*} variables are read
   */
  static Map<String, String> merge(
      Map<String, String> given,
      String givenSource,
      Map<String, String> systemProperties,
      Map<String, String> environment,
      Predicate<String> toleratedEnvironment) {
    Map<String, String> base = TABLE.canonical(given, givenSource);
    Map<String, String> sys = new LinkedHashMap<>();
    systemProperties.forEach(
        (k, v) -> {
          if (k.startsWith(TABLE.namespace())) {
            sys.put(k, v);
          }
        });
    Map<String, String> fromSys = TABLE.canonical(sys, "system property");
    // A variable that a password-env setting names is a password, not an unknown setting.
    Map<String, String> looseEnv = TABLE.fromEnvironment(environment, n -> true);
    Set<String> passwordVariables = new HashSet<>();
    for (Map<String, String> layer : List.of(base, looseEnv, fromSys)) {
      layer.forEach(
          (k, v) -> {
            if (XatmSettings.RESOURCE_PASSWORD_ENV.match(k) != null) {
              passwordVariables.add(v);
            }
          });
    }
    Map<String, String> fromEnv =
        TABLE.fromEnvironment(
            environment, n -> passwordVariables.contains(n) || toleratedEnvironment.test(n));
    Map<String, String> merged = new LinkedHashMap<>(base);
    merged.putAll(fromEnv);
    merged.putAll(fromSys);
    return merged;
  }

  private static void readFile(String file, String named, Map<String, String> props) {
    Path path;
    try {
      path = Path.of(file);
    } catch (InvalidPathException e) {
      throw new XatmConfigException(named, file, "not a valid path");
    }
    if (!Files.isRegularFile(path)) {
      throw new XatmConfigException(named, file, "no such file");
    }
    try (InputStream in = Files.newInputStream(path)) {
      read(in, props);
    } catch (IOException e) {
      throw new XatmConfigException("reading " + file + " (" + named + ") failed", e);
    }
  }

  private static void read(InputStream in, Map<String, String> into) throws IOException {
    Properties p = new Properties();
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    p.forEach((k, v) -> into.put(String.valueOf(k), String.valueOf(v).trim()));
  }
}
