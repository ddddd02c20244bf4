package dev.xatm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generic rules of the settings dialect, on a small table of its own. */
class SettingsTableTest {
  static final class Bad extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Bad(String m) {
      super(m);
    }
  }

  private static final SettingsTable.Errors ERRORS =
      new SettingsTable.Errors() {
        @Override
        public RuntimeException invalid(String key, String value, String reason) {
          return new Bad(key + "='" + value + "': " + reason);
        }

        @Override
        public RuntimeException unknown(String key, String reason) {
          return new Bad(key + ": " + reason);
        }
      };

  static final Setting<Boolean> ON = Setting.bool("x.on", true, "on");
  static final Setting<Duration> WAIT =
      Setting.duration("x.log.wait", Duration.ofSeconds(3), "wait").positive();
  static final Setting<Long> SIZE = Setting.size("x.log.dir-size", 1L << 20, "size");
  static final Setting<String> DIR = Setting.string("x.log.dir", "d", "dir");
  static final Setting<String> URL = Setting.string("x.res.<name>.url", null, "url");
  static final Setting<String> PW_ENV = Setting.string("x.res.<name>.password-env", null, "pw");
  static final Setting<String> PW = Setting.string("x.res.<name>.password", null, "pw");

  static final SettingsTable TABLE =
      SettingsTable.builder("x.", ERRORS)
          .add(ON, WAIT, SIZE, DIR, URL, PW_ENV, PW)
          .alias("x.waitMs", WAIT, v -> v + "ms")
          .reserveKey("x.config")
          .reserveEnv("X_IT_")
          .elsewhere("x.pool.", "in the URL")
          .build();

  @Test
  void durationsNeedAUnitExceptZero() {
    assertEquals(Duration.ofMillis(500), SettingValues.duration("500ms"));
    assertEquals(Duration.ofSeconds(30), SettingValues.duration("30s"));
    assertEquals(Duration.ofMinutes(2), SettingValues.duration("2m"));
    assertEquals(Duration.ofHours(1), SettingValues.duration("1H"));
    assertEquals(Duration.ofDays(1), SettingValues.duration("1d"));
    assertEquals(Duration.ZERO, SettingValues.duration("0"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SettingValues.duration("30"));
    assertTrue(e.getMessage().contains("needs a unit: 30s or 30ms"), e.getMessage());
    for (String bad : List.of("-1s", "1.5s", "s", "1 sec", "PT5S", "")) {
      assertThrows(IllegalArgumentException.class, () -> SettingValues.duration(bad), bad);
    }
    for (Duration d :
        List.of(Duration.ofMillis(1500), Duration.ofSeconds(90), Duration.ofHours(2))) {
      assertEquals(d, SettingValues.duration(SettingValues.formatDuration(d)));
    }
  }

  @Test
  void sizesAreBytesOrBinaryUnits() {
    assertEquals(16L << 20, SettingValues.size("16MiB"));
    assertEquals(512L << 10, SettingValues.size("512 KiB"));
    assertEquals(2L << 30, SettingValues.size("2G"));
    assertEquals(65536, SettingValues.size("65536"));
    assertEquals("16MiB", SettingValues.formatSize(16L << 20));
    for (String bad : List.of("1.5MiB", "-1", "16MB", "lots", "99999999999GiB")) {
      assertThrows(IllegalArgumentException.class, () -> SettingValues.size(bad), bad);
    }
  }

  @Test
  void aValueFailsNamingKeyAndValue() {
    Bad e = assertThrows(Bad.class, () -> TABLE.value(WAIT, WAIT.key(), "0"));
    assertEquals("x.log.wait='0': must be positive", e.getMessage());
    assertEquals(Duration.ofSeconds(5), TABLE.value(WAIT, WAIT.key(), " 5s "));
  }

  @Test
  void anUnknownKeyFailsNamingTheNearestKnownKey() {
    Bad e = assertThrows(Bad.class, () -> TABLE.canonical(Map.of("x.log.dri", "/tmp"), "file"));
    assertTrue(e.getMessage().contains("did you mean x.log.dir?"), e.getMessage());
    assertTrue(e.getMessage().contains("(file)"), e.getMessage());
    assertTrue(!e.getMessage().contains("/tmp"), "an unknown key's value may be a secret");
    // A per-instance key keeps its instance name in the suggestion.
    assertEquals("x.res.Bank.EU.url", TABLE.nearest("x.res.Bank.EU.ulr"));
    assertEquals("x.res.a.password-env", TABLE.nearest("x.res.a.password_env"));
    Bad pool = assertThrows(Bad.class, () -> TABLE.canonical(Map.of("x.pool.size", "1"), "f"));
    assertTrue(pool.getMessage().contains("in the URL"), pool.getMessage());
  }

  @Test
  void reservedKeysOtherNamespacesAndAliases() {
    Map<String, String> in = new LinkedHashMap<>();
    in.put("x.config", "/etc/x.properties");
    in.put("java.home", "/usr");
    in.put("x.waitMs", "250");
    in.put("x.res.bank-a.url", "jdbc:xa:h2:mem:a");
    assertEquals(
        Map.of("x.log.wait", "250ms", "x.res.bank-a.url", "jdbc:xa:h2:mem:a"),
        TABLE.canonical(in, "file"));
    Bad e = assertThrows(Bad.class, () -> TABLE.canonical(Map.of("x.res.a b.url", "u"), "f"));
    assertTrue(e.getMessage().contains("letters, digits"), e.getMessage());
  }

  @Test
  void everyInstanceNameRoundTripsThroughTheEnvironment() {
    for (String name : List.of("bank_eu", "bank-a", "Bank.EU", "b", "A__B", "x.url")) {
      for (Setting<?> s : List.of(URL, PW, PW_ENV)) {
        String env = TABLE.envName(s, name);
        assertEquals(
            Map.of(s.keyFor(name), "v"),
            TABLE.fromEnvironment(Map.of(env, " v "), n -> false),
            env);
      }
    }
    assertEquals("X_RES__bank-a__PASSWORD_ENV", TABLE.envName(PW_ENV, "bank-a"));
    assertEquals("X_LOG_DIR_SIZE", TABLE.envName(SIZE));
  }

  @Test
  void theShortEnvironmentFormIsForUpperCaseNamesOnly() {
    assertEquals(
        Map.of("x.res.bank.password-env", "BANK_PW", "x.res.bank.url", "u"),
        TABLE.fromEnvironment(
            Map.of("X_RES_BANK_PASSWORD_ENV", "BANK_PW", "X_RES_BANK_URL", "u"), n -> false));
    Bad e =
        assertThrows(
            Bad.class, () -> TABLE.fromEnvironment(Map.of("X_RES_BANK_EU_URL", "u"), n -> false));
    assertTrue(e.getMessage().contains("X_RES__bank_eu__URL"), e.getMessage());
  }

  @Test
  void anUnknownVariableFailsUnlessReservedOrTolerated() {
    Bad e =
        assertThrows(Bad.class, () -> TABLE.fromEnvironment(Map.of("X_LOG_DRI", "d"), n -> false));
    assertTrue(e.getMessage().contains("did you mean X_LOG_DIR?"), e.getMessage());
    assertEquals(
        Map.of("x.on", "false"),
        TABLE.fromEnvironment(
            Map.of("X_IT_PG_URL", "u", "X_SECRET", "s", "X_ON", "false", "PATH", "/bin"),
            "X_SECRET"::equals));
  }

  @Test
  void markdownHasOneRowPerSetting() {
    String md = TABLE.markdown();
    assertEquals(2 + TABLE.settings().size(), md.split("\n").length, md);
    assertTrue(md.contains("| `x.log.wait` | `X_LOG_WAIT` | `3s` | wait |"), md);
    assertTrue(md.contains("| `x.res.<name>.url` | `X_RES__<name>__URL` | — | url |"), md);
  }

  @Test
  void editDistance() {
    assertEquals(0, SettingsTable.distance("abc", "abc"));
    assertEquals(2, SettingsTable.distance("dri", "dir"));
    assertEquals(3, SettingsTable.distance("", "abc"));
  }
}
