package dev.xatm.tm.cluster;

import dev.xatm.config.Setting;
import dev.xatm.config.SettingsTable;
import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.XatmSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code xatm.cluster.*} settings (docs/cluster.md), parsed and checked: where the lease table
 * is and how the lease is kept. Absent ({@link #parse} returns empty) unless {@code
 * xatm.cluster.url} is set: the cluster mode is opt-in.
 *
 * <p>The timing rule: a node renews every {@code renew-interval} and fences itself (makes no new
 * decision) once {@code lease-duration - fence-margin} passed since the start of its last
 * successful renewal, so it stops before the database can consider the lease expired, whatever the
 * clocks say. At least two renewals must fit before the fence.
 *
 * <p>Immutable; {@link #toString()} never shows the password.
 */
public final class ClusterConfig {
  /** The prefix of every cluster setting. */
  public static final String PREFIX = "xatm.cluster.";

  /** The setting that turns the cluster mode on: the lease table's PostgreSQL URL. */
  public static final String URL = PREFIX + "url";

  private final String url;
  private final String user;
  private final String password;
  private final Duration leaseDuration;
  private final Duration renewInterval;
  private final Duration fenceMargin;
  private final List<String> nodeIds;

  private ClusterConfig(
      String url,
      String user,
      String password,
      Duration leaseDuration,
      Duration renewInterval,
      Duration fenceMargin,
      List<String> nodeIds) {
    this.nodeIds = List.copyOf(nodeIds);
    this.url = url;
    this.user = user;
    this.password = password;
    this.leaseDuration = leaseDuration;
    this.renewInterval = renewInterval;
    this.fenceMargin = fenceMargin;
  }

  /**
   * Parses {@code XatmConfig.cluster()}.
   *
   * @param settings the raw {@code xatm.cluster.*} settings ({@code XatmConfig.cluster()})
   * @param environment where {@code xatm.cluster.password-env} is resolved
   * @return empty when {@code xatm.cluster.url} is not set (and no other cluster key is)
   * @throws XatmConfigException a value is invalid, the timing rule does not hold, or a cluster key
   *     is set without the URL; the message names the key
   */
  public static Optional<ClusterConfig> parse(
      Map<String, String> settings, Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    SettingsTable table = XatmSettings.TABLE;
    String url = null;
    String user = null;
    String password = null;
    String passwordEnv = null;
    Duration lease = XatmSettings.CLUSTER_LEASE_DURATION.defaultValue();
    Duration renew = XatmSettings.CLUSTER_RENEW_INTERVAL.defaultValue();
    Duration margin = XatmSettings.CLUSTER_FENCE_MARGIN.defaultValue();
    List<String> pool = List.of();
    for (Map.Entry<String, String> e : new TreeMap<>(settings).entrySet()) {
      String key = e.getKey();
      String value = e.getValue() == null ? "" : e.getValue().trim();
      Setting<?> s = key.startsWith(PREFIX) ? table.find(key) : null;
      if (s == XatmSettings.CLUSTER_URL) {
        url = value.isEmpty() ? null : value;
      } else if (s == XatmSettings.CLUSTER_USER) {
        user = value.isEmpty() ? null : value;
      } else if (s == XatmSettings.CLUSTER_PASSWORD) {
        password = e.getValue() == null ? "" : e.getValue();
      } else if (s == XatmSettings.CLUSTER_PASSWORD_ENV) {
        passwordEnv = value;
      } else if (s == XatmSettings.CLUSTER_LEASE_DURATION) {
        lease = table.value(XatmSettings.CLUSTER_LEASE_DURATION, key, value);
      } else if (s == XatmSettings.CLUSTER_RENEW_INTERVAL) {
        renew = table.value(XatmSettings.CLUSTER_RENEW_INTERVAL, key, value);
      } else if (s == XatmSettings.CLUSTER_FENCE_MARGIN) {
        margin = table.value(XatmSettings.CLUSTER_FENCE_MARGIN, key, value);
      } else if (s == XatmSettings.CLUSTER_NODE_IDS) {
        pool = NodeIdPool.parse(key, value);
      } else {
        throw table.unknown(key, "cluster settings");
      }
    }
    if (url == null) {
      if (!settings.isEmpty()) {
        String first = new TreeMap<>(settings).firstKey();
        throw new XatmConfigException(
            first,
            null,
            "is a cluster setting, but " + URL + " is not set (the cluster is opt-in)");
      }
      return Optional.empty();
    }
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new XatmConfigException(
          URL,
          XatmConfigException.redactUrl(url),
          "must be a PostgreSQL JDBC URL (jdbc:postgresql://host/db): the lease table lives in"
              + " PostgreSQL; not a jdbc:xa: URL, the cluster database takes no part in"
              + " transactions");
    }
    if (password != null && passwordEnv != null) {
      throw new XatmConfigException(
          XatmSettings.CLUSTER_PASSWORD_ENV.key(),
          null,
          "set either " + XatmSettings.CLUSTER_PASSWORD.key() + " or this, not both");
    }
    if (passwordEnv != null) {
      password = environment.get(passwordEnv);
      if (password == null) {
        throw new XatmConfigException(
            XatmSettings.CLUSTER_PASSWORD_ENV.key(),
            passwordEnv,
            "names an environment variable that is not set");
      }
    }
    Duration fenceAfter = lease.minus(margin);
    if (margin.isZero() || margin.isNegative() || fenceAfter.isNegative() || fenceAfter.isZero()) {
      throw new XatmConfigException(
          XatmSettings.CLUSTER_FENCE_MARGIN.key(),
          margin.toString(),
          "must be above 0 and below "
              + XatmSettings.CLUSTER_LEASE_DURATION.key()
              + " ("
              + lease
              + ")");
    }
    if (renew.isZero() || renew.multipliedBy(2).compareTo(fenceAfter) > 0) {
      throw new XatmConfigException(
          XatmSettings.CLUSTER_RENEW_INTERVAL.key(),
          renew.toString(),
          "must be above 0 and at most half of lease-duration - fence-margin ("
              + fenceAfter
              + "), so that a failed renewal is retried before the node fences itself");
    }
    return Optional.of(new ClusterConfig(url, user, password, lease, renew, margin, pool));
  }

  /** {@return the PostgreSQL JDBC URL of the lease table} Never show it unredacted. */
  public String url() {
    return url;
  }

  /** {@return the user, or {@code null} (then the URL carries it)} */
  public String user() {
    return user;
  }

  /** {@return the password, or {@code null}} Never log it. */
  public String password() {
    return password;
  }

  /** {@return how long a renewal holds the lease, by the database's clock} */
  public Duration leaseDuration() {
    return leaseDuration;
  }

  /** {@return how often the holder renews} */
  public Duration renewInterval() {
    return renewInterval;
  }

  /** {@return how long before the database-side expiry the holder stops deciding} */
  public Duration fenceMargin() {
    return fenceMargin;
  }

  /**
   * {@return the pool of node ids ({@code xatm.cluster.node-ids}) a node with a new log takes the
   * first free one of; empty when each node has its own {@code xatm.node-id}}
   */
  public List<String> nodeIds() {
    return nodeIds;
  }

  /**
   * {@return {@code lease-duration - fence-margin}: the holder's validity after a renewal's start}
   */
  public Duration fenceAfter() {
    return leaseDuration.minus(fenceMargin);
  }

  @Override
  public String toString() {
    return "ClusterConfig[url="
        + XatmConfigException.redactUrl(url)
        + (user == null ? "" : ", user=" + user)
        + (password == null ? "" : ", password set")
        + ", lease="
        + leaseDuration
        + ", renew="
        + renewInterval
        + ", fenceMargin="
        + fenceMargin
        + (nodeIds.isEmpty() ? "" : ", nodeIds=" + nodeIds.size())
        + "]";
  }
}
