package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.wal.Durability;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class XatmConfigTest {
  @TempDir Path dir;

  @Test
  void defaults() {
    XatmConfig c = XatmConfig.builder().build();
    assertNull(c.nodeId());
    assertEquals(Path.of("xatm-log"), c.logDir());
    assertEquals(16L * 1024 * 1024, c.segmentSize());
    assertEquals(Durability.FSYNC, c.durability());
    assertEquals(Duration.ofSeconds(60), c.defaultTimeout());
    assertEquals(8, c.parallelism());
    assertTrue(c.installAsDefault());
  }

  @Test
  void fileNamedBySystemPropertyThenEnvironmentOverrides() throws IOException {
    Path file = dir.resolve("x.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "xatm.node-id=from-file",
            "xatm.log.dir=/var/lib/xatm",
            "xatm.log.segment-size=1MiB",
            "xatm.log.durability=no-fsync-unsafe-for-tests-only",
            "xatm.transaction.default-timeout=500ms",
            "xatm.parallelism=3",
            "xatm.recovery.resource.bank.url=jdbc:xa:postgresql://db/bank"));
    XatmConfig c =
        XatmConfig.load(
            Map.of("xatm.config", file.toString()),
            Map.of(
                "XATM_NODE_ID", "from-env",
                "XATM_TRANSACTION_DEFAULT_TIMEOUT", "2m",
                "XATM_RECOVERY_RESOURCE_BANK_USER", "app",
                "PATH", "/bin"),
            null);
    assertEquals("from-env", c.nodeId());
    assertEquals(Path.of("/var/lib/xatm"), c.logDir());
    assertEquals(1024 * 1024, c.segmentSize());
    assertEquals(Durability.NO_FSYNC_UNSAFE_FOR_TESTS_ONLY, c.durability());
    assertEquals(Duration.ofMinutes(2), c.defaultTimeout());
    assertEquals(3, c.parallelism());
    assertEquals(
        Map.of(
            "xatm.recovery.resource.bank.url", "jdbc:xa:postgresql://db/bank",
            "xatm.recovery.resource.bank.user", "app"),
        c.recovery());
  }

  @Test
  void classpathXatmPropertiesIsReadWhenNoFileIsNamed() throws IOException {
    Files.writeString(dir.resolve("xatm.properties"), "xatm.node-id=cp-node\n");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
      assertEquals("cp-node", XatmConfig.load(Map.of(), Map.of(), loader).nodeId());
    }
    assertNull(XatmConfig.load(Map.of(), Map.of(), null).nodeId());
  }

  @Test
  void badValuesNameThePropertyAndTheValue() {
    Object[][] cases = {
      {"xatm.node-id", "has space"},
      {"xatm.node-id", "x".repeat(33)},
      {"xatm.log.segment-size", "12parsecs"},
      {"xatm.log.segment-size", "1KiB"},
      {"xatm.log.durability", "sometimes"},
      {"xatm.transaction.default-timeout", "soon"},
      {"xatm.transaction.default-timeout", "0s"},
      {"xatm.parallelism", "0"},
      {"xatm.parallelism", "many"},
      {"xatm.runtime.install-default", "yes"},
      {"xatm.commit-retry.max-backoff", "1ms"},
    };
    for (Object[] c : cases) {
      String key = (String) c[0];
      String value = (String) c[1];
      XatmConfigException e =
          assertThrows(
              XatmConfigException.class,
              () -> XatmConfig.fromProperties(Map.of(key, value)),
              key + "=" + value);
      assertEquals(key, e.property(), e.getMessage());
      assertTrue(e.getMessage().contains(key), e.getMessage());
      assertTrue(
          e.getMessage().contains(value.length() > 20 ? value.substring(0, 20) : value)
              || e.getMessage().contains("PT0"),
          e.getMessage());
    }
  }

  @Test
  void missingConfigFileIsAnError() {
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmConfig.load(
                    Map.of("xatm.config", dir.resolve("nope").toString()), Map.of(), null));
    assertEquals("xatm.config", e.property());
  }
}
