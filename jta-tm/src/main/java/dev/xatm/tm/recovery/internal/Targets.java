package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Works out which resources a pass scans: the configured ones plus every one the log registered
 * (DESIGN §6), deduplicated by the resource id the connector gives a configured (url, user), each
 * with its credentials: the configured password, else one a running pool offered, else none. A
 * resource with a user and no password anywhere is reported as unreachable, never skipped.
 *
 * <p>Stateless apart from its inputs; thread-safe.
 */
final class Targets {
  private final RecoveryConfig config;
  private final List<RecoveryConnector> connectors;
  private final Function<String, String> offeredPassword;

  Targets(
      RecoveryConfig config,
      List<RecoveryConnector> connectors,
      Function<String, String> offeredPassword) {
    this.config = config;
    this.connectors = List.copyOf(connectors);
    this.offeredPassword = offeredPassword;
  }

  /** Fails at start for a configured URL no connector accepts or describes. */
  void validate() {
    for (RecoveryConfig.ResourceConfig rc : config.resources().values()) {
      RecoveryConnector c = connector(rc.url());
      if (c == null) {
        throw new dev.xatm.tm.XatmConfigException(
            rc.urlKey(),
            rc.url(),
            "no RecoveryConnector accepts this URL (connectors: " + names() + ")");
      }
      try {
        c.describe(rc.url(), rc.user());
      } catch (IllegalArgumentException e) {
        throw new dev.xatm.tm.XatmConfigException(rc.urlKey(), rc.url(), e.getMessage());
      }
    }
  }

  /** The target of resource {@code resourceId} among {@link #resolve}'s, if it is known. */
  java.util.Optional<Target> find(Map<String, ResourceDescriptor> logged, String resourceId) {
    return resolve(logged).stream().filter(t -> t.resourceId.equals(resourceId)).findFirst();
  }

  /** Configured resources first (by name), then logged ones not configured (by id). */
  List<Target> resolve(Map<String, ResourceDescriptor> logged) {
    Map<String, Target> byId = new LinkedHashMap<>();
    for (RecoveryConfig.ResourceConfig rc : config.resources().values()) {
      RecoveryConnector c = connector(rc.url());
      String source = "configured as " + rc.name();
      if (c == null) {
        String id = "config:" + rc.name();
        byId.put(
            id,
            new Target(id, null, null, null, "no RecoveryConnector accepts " + rc.url(), source));
        continue;
      }
      ResourceDescriptor d;
      try {
        d = c.describe(rc.url(), rc.user());
      } catch (IllegalArgumentException e) {
        String id = "config:" + rc.name();
        byId.put(id, new Target(id, null, null, null, e.getMessage(), source));
        continue;
      }
      String password =
          rc.password() != null ? rc.password() : offeredPassword.apply(d.resourceId());
      if (logged.containsKey(d.resourceId())) {
        source += " and logged";
      }
      byId.put(d.resourceId(), target(d, c, password, source, rc.urlKey()));
    }
    for (ResourceDescriptor d : logged.values()) {
      if (byId.containsKey(d.resourceId())) {
        continue;
      }
      RecoveryConnector c = connector(d.url());
      if (c == null) {
        byId.put(
            d.resourceId(),
            new Target(
                d.resourceId(),
                d,
                null,
                null,
                "no RecoveryConnector accepts " + d.url() + " (connectors: " + names() + ")",
                "logged"));
        continue;
      }
      byId.put(d.resourceId(), target(d, c, offeredPassword.apply(d.resourceId()), "logged", null));
    }
    return new ArrayList<>(byId.values());
  }

  private static Target target(
      ResourceDescriptor d, RecoveryConnector c, String password, String source, String urlKey) {
    String problem = null;
    if (password == null && d.user() != null) {
      String base = urlKey == null ? null : urlKey.substring(0, urlKey.length() - ".url".length());
      problem =
          "no credentials for "
              + d.resourceId()
              + (base == null
                  ? ": configure xatm.recovery.resource.NAME.url="
                      + d.url()
                      + " with .user and .password or .password-env, or let a pool of this"
                      + " process offer them"
                  : ": set " + base + ".password or " + base + ".password-env");
    }
    return new Target(d.resourceId(), d, c, password, problem, source);
  }

  private RecoveryConnector connector(String url) {
    for (RecoveryConnector c : connectors) {
      if (c.accepts(url)) {
        return c;
      }
    }
    return null;
  }

  private String names() {
    return connectors.isEmpty()
        ? "none found"
        : connectors.stream().map(c -> c.getClass().getName()).toList().toString();
  }
}
