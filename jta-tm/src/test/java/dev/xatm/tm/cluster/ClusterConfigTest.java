package dev.xatm.tm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code xatm.cluster.*} rules (docs/cluster.md, "Settings"). */
class ClusterConfigTest {
  private static final String URL = "jdbc:postgresql://db/cluster";

  private static Map<String, String> with(String... kv) {
    Map<String, String> m = new HashMap<>();
    m.put("xatm.cluster.url", URL);
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void offUnlessTheUrlIsSetAndDefaultsOtherwise() {
    assertTrue(ClusterConfig.parse(Map.of(), Map.of()).isEmpty());
    ClusterConfig c = ClusterConfig.parse(with(), Map.of()).orElseThrow();
    assertEquals(Duration.ofSeconds(30), c.leaseDuration());
    assertEquals(Duration.ofSeconds(5), c.renewInterval());
    assertEquals(Duration.ofSeconds(20), c.fenceAfter());
  }

  @Test
  void thePoolOfNodeIdsExpandsRangesAndRefusesWhatCannotBeANodeId() {
    ClusterConfig c =
        ClusterConfig.parse(with("xatm.cluster.node-ids", "app-1..app-3, web, app-10"), Map.of())
            .orElseThrow();
    assertEquals(java.util.List.of("app-1", "app-2", "app-3", "web", "app-10"), c.nodeIds());
    assertTrue(ClusterConfig.parse(with(), Map.of()).orElseThrow().nodeIds().isEmpty());
    for (String[] bad :
        new String[][] {
          {"app-3..app-1", "reversed"},
          {"a-1..b-2", "different prefixes"},
          {"app-1,app-1", "listed twice"},
          {"app-1..app-20000", "longer than"},
          {"has space", "not a valid node id"},
          {" ", "is empty"}
        }) {
      XatmConfigException e =
          assertThrows(
              XatmConfigException.class,
              () -> ClusterConfig.parse(with("xatm.cluster.node-ids", bad[0]), Map.of()),
              bad[0]);
      assertTrue(e.getMessage().contains("xatm.cluster.node-ids"), e.getMessage());
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
    }
  }

  @Test
  void aClusterKeyWithoutTheUrlIsAnError() {
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () -> ClusterConfig.parse(Map.of("xatm.cluster.user", "app"), Map.of()));
    assertTrue(e.getMessage().contains("xatm.cluster.url is not set"), e.getMessage());
  }

  @Test
  void theUrlMustBePlainPostgresAndIsShownWithoutItsPassword() {
    XatmConfigException e =
        assertThrows(
            XatmConfigException.class,
            () ->
                ClusterConfig.parse(
                    Map.of("xatm.cluster.url", "jdbc:xa:postgresql://db/c?password=hunter2"),
                    Map.of()));
    assertTrue(e.getMessage().contains("PostgreSQL JDBC URL"), e.getMessage());
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void theTimingRuleLeavesTwoRenewalsBeforeTheFence() {
    XatmConfigException renew =
        assertThrows(
            XatmConfigException.class,
            () ->
                ClusterConfig.parse(
                    with(
                        "xatm.cluster.lease-duration", "10s",
                        "xatm.cluster.fence-margin", "4s",
                        "xatm.cluster.renew-interval", "4s"),
                    Map.of()));
    assertEquals("xatm.cluster.renew-interval", renew.property());
    XatmConfigException margin =
        assertThrows(
            XatmConfigException.class,
            () ->
                ClusterConfig.parse(
                    with("xatm.cluster.lease-duration", "10s", "xatm.cluster.fence-margin", "10s"),
                    Map.of()));
    assertEquals("xatm.cluster.fence-margin", margin.property());
    assertTrue(
        ClusterConfig.parse(
                with(
                    "xatm.cluster.lease-duration", "10s",
                    "xatm.cluster.fence-margin", "4s",
                    "xatm.cluster.renew-interval", "3s"),
                Map.of())
            .isPresent());
  }

  @Test
  void thePasswordComesFromTheEnvironmentAndIsNeverShown() {
    ClusterConfig c =
        ClusterConfig.parse(
                with("xatm.cluster.password-env", "LEASE_PW"), Map.of("LEASE_PW", "s3cret"))
            .orElseThrow();
    assertEquals("s3cret", c.password());
    assertFalse(c.toString().contains("s3cret"), c.toString());
    XatmConfigException unset =
        assertThrows(
            XatmConfigException.class,
            () -> ClusterConfig.parse(with("xatm.cluster.password-env", "NOPE"), Map.of()));
    assertTrue(unset.getMessage().contains("not set"), unset.getMessage());
    XatmConfigException typo =
        assertThrows(
            XatmConfigException.class,
            () ->
                XatmConfig.fromProperties(
                    Map.of("xatm.cluster.url", URL, "xatm.cluster.pasword", "s3cret"),
                    Map.of(),
                    Map.of()));
    assertTrue(typo.getMessage().contains("xatm.cluster.password"), typo.getMessage());
    assertFalse(typo.getMessage().contains("s3cret"), typo.getMessage());
  }

  @Test
  void theSettingsReachTheConfigThroughEveryEntryPoint() {
    XatmConfig c =
        XatmConfig.fromProperties(
            Map.of("xatm.cluster.url", URL),
            Map.of("xatm.cluster.lease-duration", "40s"),
            Map.of("XATM_CLUSTER_RENEW_INTERVAL", "7s"));
    ClusterConfig cc = ClusterConfig.parse(c.cluster(), Map.of()).orElseThrow();
    assertEquals(Duration.ofSeconds(40), cc.leaseDuration());
    assertEquals(Duration.ofSeconds(7), cc.renewInterval());
    assertEquals(c.cluster(), c.toBuilder().build().cluster(), "toBuilder keeps them");
  }
}
