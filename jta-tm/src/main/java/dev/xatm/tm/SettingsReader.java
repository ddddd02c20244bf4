package dev.xatm.tm;

import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.wal.Durability;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads merged settings into an {@link XatmConfig}: the one place a key meets its typed setting
 * ({@link XatmSettings}), for every entry point ({@code load}, {@code fromProperties}, the Spring
 * Boot starter's merged settings).
 */
final class SettingsReader {
  private SettingsReader() {}

  /** {@return the process's system properties as strings} */
  static Map<String, String> systemProperties() {
    Map<String, String> sys = new LinkedHashMap<>();
    System.getProperties().forEach((k, v) -> sys.put(String.valueOf(k), String.valueOf(v)));
    return sys;
  }

  /**
   * Builds a configuration from settings already merged in their precedence and canonical ({@code
   * xatm.*} keys): each value parsed by its setting, an unknown key refused naming the nearest one,
   * and a bad value reported as the user wrote it.
   */
  static XatmConfig read(Map<String, String> props) {
    XatmConfig.Builder b = XatmConfig.builder();
    b.fromProcess = true;
    for (Map.Entry<String, String> e : props.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      switch (k) {
        case XatmConfig.NODE_ID -> b.nodeId(v.isEmpty() ? null : v);
        case XatmConfig.LOG_DIR -> b.logDir(value(XatmSettings.LOG_DIR, k, v));
        case XatmConfig.LOG_SEGMENT_SIZE ->
            b.segmentSize(value(XatmSettings.LOG_SEGMENT_SIZE, k, v));
        case XatmConfig.LOG_DURABILITY ->
            b.durability(durability(value(XatmSettings.LOG_DURABILITY, k, v)));
        case XatmConfig.LOG_OPEN_DAMAGED ->
            b.logOpenDamaged(value(XatmSettings.LOG_OPEN_DAMAGED, k, v));
        case XatmConfig.DEFAULT_TIMEOUT ->
            b.defaultTimeout(value(XatmSettings.DEFAULT_TIMEOUT, k, v));
        case XatmConfig.REAPER_INTERVAL ->
            b.reaperInterval(value(XatmSettings.REAPER_INTERVAL, k, v));
        case XatmConfig.PARALLELISM -> b.parallelism(value(XatmSettings.PARALLELISM, k, v));
        case XatmConfig.RETRY_INITIAL ->
            b.retryInitialBackoff(value(XatmSettings.RETRY_INITIAL, k, v));
        case XatmConfig.RETRY_MAX -> b.retryMaxBackoff(value(XatmSettings.RETRY_MAX, k, v));
        case XatmConfig.INSTALL_DEFAULT ->
            b.installAsDefault(value(XatmSettings.INSTALL_DEFAULT, k, v));
        case XatmConfig.JMX_ENABLED -> b.jmxEnabled(value(XatmSettings.JMX_ENABLED, k, v));
        case XatmConfig.JMX_OPERATIONS -> b.jmxOperations(value(XatmSettings.JMX_OPERATIONS, k, v));
        case XatmConfig.CHECKPOINT_ENABLED ->
            b.checkpointsEnabled(value(XatmSettings.CHECKPOINT_ENABLED, k, v));
        case XatmConfig.CHECKPOINT_INTERVAL ->
            b.checkpointInterval(value(XatmSettings.CHECKPOINT_INTERVAL, k, v));
        case XatmConfig.CHECKPOINT_BYTES ->
            b.checkpointBytes(value(XatmSettings.CHECKPOINT_BYTES, k, v));
        case XatmConfig.CHECKPOINT_ON_ROTATION ->
            b.checkpointOnRotation(value(XatmSettings.CHECKPOINT_ON_ROTATION, k, v));
        case XatmConfig.LOG_MAX_SIZE -> b.logMaxSize(value(XatmSettings.LOG_MAX_SIZE, k, v));
        case XatmConfig.ARCHIVE_DIR ->
            b.archiveDir(v.isEmpty() ? null : value(XatmSettings.ARCHIVE_DIR, k, v));
        case XatmConfig.ARCHIVE_MAX_SIZE ->
            b.archiveMaxSize(value(XatmSettings.ARCHIVE_MAX_SIZE, k, v));
        default -> {
          if (k.startsWith(XatmConfig.RECOVERY_PREFIX)) {
            b.recovery(k, v); // RecoveryConfig parses these (the keys are checked already)
          } else if (k.startsWith(ClusterConfig.PREFIX)) {
            b.cluster(k, v); // so does ClusterConfig
          } else {
            throw XatmSettings.TABLE.unknown(k, "settings");
          }
        }
      }
    }
    try {
      return b.build();
    } catch (XatmConfigException e) {
      String raw = e.property() == null ? null : props.get(e.property());
      if (raw != null && !raw.equals(e.value())) {
        // Name the value as the user wrote it ("1KiB"), not as parsed ("1024").
        throw new XatmConfigException(e.property(), raw, e.reason());
      }
      throw e;
    }
  }

  private static <T> T value(dev.xatm.config.Setting<T> s, String key, String raw) {
    return XatmSettings.TABLE.value(s, key, raw);
  }

  /** {@return the durability a {@code xatm.log.durability} value names} */
  static Durability durability(String value) {
    return value.equals("fsync") ? Durability.FSYNC : Durability.NO_FSYNC_UNSAFE_FOR_TESTS_ONLY;
  }
}
