package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.config.Setting;
import dev.xatm.tm.recovery.RecoveryConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules of the one configuration dialect (issue 12), each on every entry point that reads the
 * process: {@link XatmConfig#load} and {@link XatmConfig#fromProperties}.
 */
class ConfigRulesTest {
  @TempDir Path dir;

  private Map<String, String> fileSys(String... lines) throws IOException {
    Path f = dir.resolve("xatm.properties");
    Files.write(f, List.of(lines));
    return Map.of(XatmConfig.CONFIG_FILE_PROPERTY, f.toString());
  }

  @Test
  void aTypoInTheFileFailsNamingTheNearestKey() throws IOException {
    // Before issue 12 this only warned: the node silently logged to ./xatm-log with a new node id.
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () -> XatmConfig.load(fileSys("xatm.log.dri=/var/lib/xatm"), Map.of(), null));
    assertEquals("xatm.log.dri", e.property());
    assertTrue(e.getMessage().contains("did you mean xatm.log.dir?"), e.getMessage());
    assertFalse(e.getMessage().contains("/var/lib/xatm"), "an unknown key's value is not shown");
    XatmConfigException map =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmConfig.fromProperties(
                    Map.of("xatm.transaction.default-timeuot", "5s"), Map.of(), Map.of()));
    assertTrue(
        map.getMessage().contains("did you mean xatm.transaction.default-timeout?"),
        map.getMessage());
    XatmConfigException resource =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmConfig.fromProperties(
                    Map.of("xatm.recovery.resource.bank.ulr", "jdbc:xa:h2:mem:x"),
                    Map.of(),
                    Map.of()));
    assertTrue(
        resource.getMessage().contains("did you mean xatm.recovery.resource.bank.url?"),
        resource.getMessage());
  }

  @Test
  void aTypoInTheEnvironmentFailsNamingTheNearestVariable() {
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () -> XatmConfig.load(Map.of(), Map.of("XATM_LOG_DRI", "/var/lib/xatm"), null));
    assertTrue(e.getMessage().contains("XATM_LOG_DRI"), e.getMessage());
    assertTrue(e.getMessage().contains("did you mean XATM_LOG_DIR?"), e.getMessage());
  }

  @Test
  void systemPropertiesAreHonouredAndTyposRefused() {
    assertEquals(
        "from-sys", XatmConfig.load(Map.of("xatm.node-id", "from-sys"), Map.of(), null).nodeId());
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () -> XatmConfig.load(Map.of("xatm.node-di", "n"), Map.of(), null));
    assertTrue(e.getMessage().contains("system property"), e.getMessage());
    assertTrue(e.getMessage().contains("did you mean xatm.node-id?"), e.getMessage());
    // Not settings, so neither honoured nor refused: the file property, test-suite switches.
    Map<String, String> notSettings =
        Map.of("xatm.config.unused", "x", "xatm.seed", "42", "xatm.it.skip", "true");
    assertThrows(XatmConfigException.class, () -> XatmConfig.load(notSettings, Map.of(), null));
    XatmConfig.load(Map.of("xatm.seed", "42", "xatm.it.skip", "true"), Map.of(), null);
  }

  @Test
  void onePrecedenceSystemPropertyOverEnvironmentOverFileOverDefault() throws IOException {
    Map<String, String> sys =
        new java.util.HashMap<>(
            fileSys(
                "xatm.node-id=from-file",
                "xatm.log.dir=/file",
                "xatm.parallelism=2",
                "xatm.transaction.default-timeout=7s"));
    sys.put("xatm.node-id", "from-sys");
    Map<String, String> env = Map.of("XATM_NODE_ID", "from-env", "XATM_LOG_DIR", "/env");
    XatmConfig c = XatmConfig.load(sys, env, null);
    assertEquals("from-sys", c.nodeId());
    assertEquals(Path.of("/env"), c.logDir());
    assertEquals(2, c.parallelism());
    assertEquals(Duration.ofSeconds(7), c.defaultTimeout());
    assertEquals(XatmSettings.REAPER_INTERVAL.defaultValue(), c.reaperInterval());

    // fromProperties: the map takes the file's place; XATM_* and -Dxatm.* still apply (before
    // issue 12 XATM_NODE_ID had no effect on the Spring sample, which uses fromProperties).
    XatmConfig p =
        XatmConfig.fromProperties(
            Map.of("xatm.node-id", "from-map", "xatm.log.dir", "/map", "xatm.parallelism", "3"),
            Map.of("xatm.parallelism", "4"),
            env);
    assertEquals("from-env", p.nodeId());
    assertEquals(Path.of("/env"), p.logDir());
    assertEquals(4, p.parallelism());
  }

  @Test
  void codeOverridesTheProcessThroughToBuilder() {
    XatmConfig loaded =
        XatmConfig.load(Map.of("xatm.node-id", "from-sys"), Map.of("XATM_PARALLELISM", "3"), null);
    XatmConfig c = loaded.toBuilder().parallelism(5).build();
    assertEquals("from-sys", c.nodeId());
    assertEquals(5, c.parallelism());
    assertEquals(loaded.snapshots(), c.snapshots());
  }

  @Test
  void aBuilderConfigNamesWhatOfTheProcessItLeavesOut() {
    // builder() reads nothing from the process; build() warns with this list, never silently.
    assertEquals(
        List.of("-Dxatm.node-id", "XATM_LOG_DIR", "XATM_LOG_DRI"),
        XatmConfig.Builder.ignoredByBuilder(
            Map.of("xatm.node-id", "n", "xatm.seed", "1", "java.home", "/j"),
            Map.of(
                "XATM_LOG_DIR", "/d", "XATM_LOG_DRI", "/d", "XATM_IT_PG_URL", "u", "HOME", "/h")));
  }

  @Test
  void everyResourceNameCanBeSetFromTheEnvironment() {
    Map<String, String> env =
        Map.of(
            "XATM_RECOVERY_RESOURCE__bank_eu__URL", "jdbc:xa:h2:mem:eu",
            "XATM_RECOVERY_RESOURCE__bank-a__URL", "jdbc:xa:h2:mem:a",
            "XATM_RECOVERY_RESOURCE__bank-a__USER", "app",
            "XATM_RECOVERY_RESOURCE__bank-a__PASSWORD_ENV", "XATM_BANK_A_PW",
            "XATM_BANK_A_PW", "s3cret",
            "XATM_RECOVERY_RESOURCE__Bank.EU__URL", "jdbc:xa:h2:mem:dot",
            "XATM_RECOVERY_RESOURCE_LEDGER_URL", "jdbc:xa:h2:mem:ledger");
    XatmConfig c = XatmConfig.load(Map.of(), env, null);
    RecoveryConfig r = RecoveryConfig.parse(c.recovery(), env);
    assertEquals(Set.of("bank_eu", "bank-a", "Bank.EU", "ledger"), r.resources().keySet());
    assertEquals("jdbc:xa:h2:mem:eu", r.resources().get("bank_eu").url());
    assertEquals("jdbc:xa:h2:mem:dot", r.resources().get("Bank.EU").url());
    assertEquals("app", r.resources().get("bank-a").user());
    assertEquals("s3cret", r.resources().get("bank-a").password());
    // Each name's variable is what the table documents.
    for (String name : List.of("bank_eu", "bank-a", "Bank.EU")) {
      assertEquals(
          "XATM_RECOVERY_RESOURCE__" + name + "__URL",
          XatmSettings.TABLE.envName(XatmSettings.RESOURCE_URL, name));
    }
    // The old single-underscore form cannot tell bank_eu from bank.eu: refused, with the fix.
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmConfig.load(
                    Map.of(),
                    Map.of("XATM_RECOVERY_RESOURCE_BANK_EU_URL", "jdbc:xa:h2:mem:x"),
                    null));
    assertTrue(e.getMessage().contains("XATM_RECOVERY_RESOURCE__bank_eu__URL"), e.getMessage());
  }

  @Test
  void variablesThatAreNoSettingsAreLeftAlone() {
    Map<String, String> env =
        Map.of(
            "XATM_IT_PG_URL", "jdbc:postgresql://127.0.0.1/postgres",
            "XATM_JMX_PASSWORD", "x",
            "XATM_CONFIG_DIR_OF_MY_OWN", "x");
    XatmConfigException e =
        assertThrows(XatmConfigException.class, () -> XatmConfig.load(Map.of(), env, null));
    assertTrue(e.getMessage().contains("XATM_CONFIG_DIR_OF_MY_OWN"), e.getMessage());
    XatmConfig.load(
        Map.of(),
        Map.of("XATM_IT_PG_URL", "jdbc:postgresql://127.0.0.1/postgres", "XATM_JMX_PASSWORD", "x"),
        null);
  }

  @Test
  void poolSettingsBelongToADataSource() {
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () -> XatmConfig.fromProperties(Map.of("xatm.pool.max-size", "5"), Map.of(), Map.of()));
    assertTrue(e.getMessage().contains("jdbc:xa: URL"), e.getMessage());
  }

  @Test
  void oneDurationSyntax() {
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmConfig.fromProperties(
                    Map.of("xatm.transaction.default-timeout", "30"), Map.of(), Map.of()));
    assertTrue(e.getMessage().contains("needs a unit"), e.getMessage());
    assertEquals(
        Duration.ofMillis(1500),
        XatmConfig.fromProperties(
                Map.of("xatm.transaction.default-timeout", "1500ms"), Map.of(), Map.of())
            .defaultTimeout());
    assertThrows(
        XatmConfigException.class,
        () -> RecoveryConfig.parse(Map.of("xatm.recovery.interval", "60"), Map.of()));
  }

  @Test
  void theBuilderStartsFromTheTablesDefaults() {
    XatmConfig d = XatmConfig.builder().build();
    XatmConfig parsed = XatmConfig.fromProperties(defaultsAsText(), Map.of(), Map.of());
    assertEquals(d.toString(), parsed.toString());
    assertEquals(d.snapshots(), parsed.snapshots());
    assertEquals(d.reaperInterval(), parsed.reaperInterval());
    assertEquals(d.retryMaxBackoff(), parsed.retryMaxBackoff());
    assertEquals(d.jmxOperations(), parsed.jmxOperations());
    RecoveryConfig r =
        RecoveryConfig.parse(
            Map.of(
                RecoveryConfig.INTERVAL, XatmSettings.RECOVERY_INTERVAL.defaultText(),
                RecoveryConfig.BACKOFF_MAX, XatmSettings.RECOVERY_BACKOFF_MAX.defaultText()),
            Map.of());
    assertEquals(XatmSettings.RECOVERY_INTERVAL.defaultValue(), r.interval());
    assertEquals(XatmSettings.RECOVERY_BACKOFF_MAX.defaultValue(), r.backoffMax());
  }

  /** Every plain setting with a default, written as its default text. */
  private static Map<String, String> defaultsAsText() {
    Map<String, String> out = new java.util.TreeMap<>();
    Set<String> seen = new TreeSet<>();
    for (Setting<?> s : XatmSettings.TABLE.settings()) {
      if (!s.key().startsWith(RecoveryConfig.PREFIX) && s.defaultValue() != null) {
        out.put(s.key(), s.defaultText());
        seen.add(s.key());
      }
    }
    assertTrue(seen.size() > 12, "defaults found: " + seen);
    return out;
  }
}
