package dev.xatm.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.config.Setting;
import dev.xatm.jdbc.PoolSettings;
import dev.xatm.tm.XatmSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The IDE metadata of the starter ({@code META-INF/spring-configuration-metadata.json}) agrees with
 * the settings tables (issue 12): every setting listed with the table's default, nothing stale.
 */
class ConfigurationMetadataTest {

  private static Map<String, String> properties() throws IOException {
    String json;
    try (InputStream in =
        ConfigurationMetadataTest.class.getResourceAsStream(
            "/META-INF/spring-configuration-metadata.json")) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String props = json.substring(json.indexOf("\"properties\""), json.indexOf("\"hints\""));
    Map<String, String> out = new LinkedHashMap<>();
    for (String block : props.split("\\n    \\{")) {
      Matcher name = Pattern.compile("\"name\":\\s*\"([^\"]+)\"").matcher(block);
      if (!name.find()) {
        continue;
      }
      Matcher def = Pattern.compile("\"defaultValue\":\\s*(\"[^\"]*\"|[\\w.-]+)").matcher(block);
      out.put(name.group(1), def.find() ? def.group(1).replace("\"", "") : null);
    }
    return out;
  }

  @Test
  void everySettingIsListedWithTheTablesDefault() throws IOException {
    Map<String, String> meta = properties();
    List<String> problems = new ArrayList<>();
    for (Setting<?> s : XatmSettings.TABLE.settings()) {
      String key = s.perInstance() ? "xatm.recovery.resource" : s.key();
      if (!meta.containsKey(key)) {
        problems.add("missing " + key);
      } else if (!s.perInstance()
          && s.defaultValue() != null
          && !s.defaultText().equals(meta.get(key))) {
        problems.add(key + " default " + meta.get(key) + ", table " + s.defaultText());
      }
    }
    for (Setting<?> s : PoolSettings.TABLE.settings()) {
      String stem = s.key().substring("xatm.pool.".length());
      String key = "spring.datasource.xatm." + stem;
      if (!meta.containsKey(key)) {
        problems.add("missing " + key);
      } else if (!s.defaultText().equals(meta.get(key))) {
        problems.add(key + " default " + meta.get(key) + ", table " + s.defaultText());
      }
    }
    for (String key : meta.keySet()) {
      boolean tm =
          key.startsWith("xatm.")
              && !key.startsWith("xatm.spring.")
              && !key.startsWith("xatm.datasources")
              && !key.equals("xatm.recovery.resource");
      if (tm && XatmSettings.TABLE.find(key) == null) {
        problems.add("stale " + key);
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(meta.size() > 30, "entries read: " + meta.keySet());
  }
}
