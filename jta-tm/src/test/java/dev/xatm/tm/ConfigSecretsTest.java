package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.log.InMemoryTxLog;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.testing.LogCapture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No configuration error shows the value of a key that could hold a secret: password-, secret-,
 * token-, credential- and key-like keys, URLs (their passwords), and any key xatm does not know (a
 * misspelled {@code passwrod} is still a password).
 */
class ConfigSecretsTest {
  private static final String SECRET = "hunter2-very-secret";

  // Every record any logger writes during a case, at every level: none may show the secret.
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = LogCapture.all();
  }

  @AfterEach
  void noRecordShowsTheSecret() {
    try {
      assertEquals(List.of(), log.showing("hunter2"), "log records that show the secret");
    } finally {
      log.close();
    }
  }

  /** The secret is in no message, cause, suppressed or stack line of {@code e}. */
  private static void assertNoSecretIn(Throwable e) {
    String all = LogCapture.stackText(e);
    assertFalse(all.contains("hunter2"), all);
  }

  private static void assertHidden(XatmConfigException e, String key) {
    assertTrue(e.getMessage().contains(key), "names the key: " + e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertFalse(String.valueOf(e.value()).contains("hunter2"), "value(): " + e.value());
    assertNoSecretIn(e);
  }

  private static XatmConfigException recovery(Map<String, String> settings) {
    return assertThrows(
        XatmConfigException.class,
        () -> RecoveryConfig.parse(settings, Map.of()),
        settings::toString);
  }

  @Test
  void misspelledRecoveryPasswordKeyFailsWithoutItsValue() {
    String key = "xatm.recovery.resource.bank.passwrod";
    XatmConfigException e =
        recovery(Map.of("xatm.recovery.resource.bank.url", "jdbc:xa:h2:mem:x", key, SECRET));
    assertHidden(e, key);
    assertEquals(key, e.property());
    assertNull(e.value(), "an unknown key's value is not kept either");
    assertTrue(e.getMessage().contains("password"), "says what is known: " + e.getMessage());
  }

  @Test
  void anyUnknownKeyFailsWithoutItsValue() {
    for (String key :
        new String[] {
          "xatm.recovery.resource.bank.pw",
          "xatm.recovery.resource.bank.",
          "xatm.recovery.resource.b@nk.password",
          "xatm.recovery.resource.b@nk.url",
          "xatm.recovery.whatever",
          "xatm.recovery.resource.bank",
        }) {
      assertHidden(recovery(Map.of(key, SECRET)), key);
    }
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () -> XatmConfig.builder().recovery("xatm.other.password", SECRET));
    assertHidden(e, "xatm.other.password");
  }

  @Test
  void secretLikeKeysNeverShowTheirValue() {
    for (String key :
        new String[] {
          "xatm.recovery.resource.x.password",
          "xatm.some.passwd",
          "xatm.some.db-pwd",
          "xatm.some.client-secret",
          "xatm.some.token",
          "xatm.some.credentials",
          "xatm.some.api-key",
          "xatm.some.PRIVATE_KEY",
        }) {
      assertHidden(new XatmConfigException(key, SECRET, "is wrong"), key);
    }
    XatmConfigException env =
        new XatmConfigException("xatm.recovery.resource.x.password-env", "BANK_PW", "not set");
    assertTrue(env.getMessage().contains("BANK_PW"), "a variable's name is no secret");
  }

  @Test
  void urlValuesAreShownWithoutTheirPasswords() {
    XatmConfigException e =
        new XatmConfigException(
            "xatm.recovery.resource.x.url",
            "jdbc:xa:nope://app:" + SECRET + "@h/db?sslpassword=" + SECRET + "&ssl=true",
            "no RecoveryConnector accepts this URL");
    assertHidden(e, "xatm.recovery.resource.x.url");
    assertTrue(e.getMessage().contains("@h/db"), "the rest of the URL helps: " + e.getMessage());
    assertTrue(e.getMessage().contains("ssl=true"), e.getMessage());
  }

  @Test
  void recoveryUrlWithAPasswordInTheUserInfoIsRefused() {
    XatmConfigException e =
        recovery(
            Map.of(
                "xatm.recovery.resource.bank.url", "jdbc:xa:postgresql://app:" + SECRET + "@db/b"));
    assertHidden(e, "xatm.recovery.resource.bank.url");
    assertTrue(e.getMessage().contains("xatm.recovery.resource.bank.password"), e.getMessage());
  }

  @Test
  void ordinaryValuesAreStillShown() {
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () -> XatmConfig.fromProperties(Map.of("xatm.parallelism", "many")));
    assertTrue(e.getMessage().contains("'many'"), e.getMessage());
    XatmConfigException r = recovery(Map.of("xatm.recovery.interval", "soon"));
    assertTrue(r.getMessage().contains("'soon'"), r.getMessage());
  }

  /**
   * End to end, as a deployment sets it: {@code -Dxatm.recovery.resource.bank.passwrod=...} (here
   * the system properties given to {@link XatmConfig#fromProperties(Map, Map, Map)}) fails while
   * the settings are read; the same key given to the builder fails {@code start()}. Both name the
   * key, and neither the exception chain nor any log record shows the value.
   */
  @Test
  void misspelledRecoveryKeyFailsTheStartWithoutItsValueInTheChainOrTheLog() {
    String key = "xatm.recovery.resource.bank.passwrod";
    XatmConfigException fromProcess =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmConfig.fromProperties(
                    Map.of("xatm.node-id", "secrets-node"),
                    Map.of("xatm.recovery.resource.bank.url", "jdbc:xa:h2:mem:x", key, SECRET),
                    Map.of()));
    assertHidden(fromProcess, key);

    XatmConfig config =
        XatmConfig.builder()
            .nodeId("secrets-node")
            .recovery("xatm.recovery.resource.bank.url", "jdbc:xa:h2:mem:x")
            .recovery(key, SECRET)
            .build();
    assertFalse(config.toString().contains("hunter2"), config.toString());
    XatmConfigException atStart =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmTransactionManager.builder(config)
                    .txLog(new InMemoryTxLog("secrets-node"))
                    .installAsDefault(false)
                    .start()
                    .close());
    assertHidden(atStart, key);
  }
}
