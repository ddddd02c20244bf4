package dev.xatm.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmConfigException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The starter reads Spring's property sources in Spring's order and {@code XATM_*} with xatm's own
 * mapping (issue 12): before, Boot's relaxed binding turned {@code XATM_NODE_ID} into the unknown
 * {@code xatm.node.id}, which was only warned about, and no resource named {@code bank-a} could be
 * set from the environment.
 */
class XatmEnvironmentPrecedenceTest {
  private static StandardEnvironment env(
      Map<String, Object> sys, Map<String, Object> vars, Map<String, Object> app) {
    StandardEnvironment env = new StandardEnvironment();
    var sources = env.getPropertySources();
    sources.remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    sources.remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    sources.addLast(new MapPropertySource("systemProperties", sys));
    sources.addLast(new SystemEnvironmentPropertySource("systemEnvironment", vars));
    sources.addLast(new MapPropertySource("application.properties", app));
    return env;
  }

  @Test
  void systemPropertiesOverEnvironmentOverApplicationProperties() {
    StandardEnvironment e =
        env(
            Map.of("xatm.log.dir", "/sys", "xatm.seed", "7"),
            Map.of(
                "XATM_NODE_ID", "from-env",
                "XATM_LOG_DIR", "/env",
                "XATM_RECOVERY_RESOURCE__bank-a__URL", "jdbc:xa:h2:mem:a",
                "XATM_SPRING_STARTUP_RECOVERY", "background",
                "XATM_DATASOURCES_X_URL", "jdbc:xa:h2:mem:x",
                "PATH", "/bin"),
            Map.of(
                "xatm.node-id", "from-app",
                "xatm.parallelism", "${PARALLEL:2}",
                "xatm.datasources.x.url", "jdbc:xa:h2:mem:x",
                "xatm.spring.startup-recovery", "background"));
    Map<String, String> props = XatmEnvironment.tmProperties(e);
    assertEquals("jdbc:xa:h2:mem:a", props.get("xatm.recovery.resource.bank-a.url"));
    assertFalse(
        props.keySet().stream().anyMatch(k -> k.startsWith("xatm.datasources.")), props.toString());
    XatmConfig c = XatmConfig.fromMergedSettings(props);
    assertEquals("from-env", c.nodeId());
    assertEquals(Path.of("/sys"), c.logDir());
    assertEquals(2, c.parallelism());
  }

  @Test
  void typosFailNamingTheNearestKey() {
    XatmConfigException env =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmEnvironment.tmProperties(env(Map.of(), Map.of("XATM_NODE_DI", "n"), Map.of())));
    assertTrue(env.getMessage().contains("did you mean XATM_NODE_ID?"), env.getMessage());
    Map<String, String> props =
        XatmEnvironment.tmProperties(env(Map.of(), Map.of(), Map.of("xatm.log.dri", "/x")));
    XatmConfigException app =
        assertThrows(XatmConfigException.class, () -> XatmConfig.fromMergedSettings(props));
    assertTrue(app.getMessage().contains("did you mean xatm.log.dir?"), app.getMessage());
  }
}
