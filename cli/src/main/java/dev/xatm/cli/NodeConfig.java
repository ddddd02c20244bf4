package dev.xatm.cli;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stopped node's configuration as its application reads it ({@link NodeOptions}): {@code
 * --config} in place of {@code -Dxatm.config}, {@code --log-dir} above everything, as an {@code
 * XATM_*} variable would be.
 */
final class NodeConfig {
  private NodeConfig() {}

  /** The environment the configuration was read with ({@code --log-dir} included). */
  static Map<String, String> environment(NodeOptions options) {
    Map<String, String> env = new LinkedHashMap<>(System.getenv());
    if (options.logDir != null) {
      env.put("XATM_LOG_DIR", options.logDir.toString()); // the override wins, as XATM_* does
    }
    return env;
  }

  /**
   * Loads it.
   *
   * @throws CliException {@link ExitCodes#USAGE}: an unknown key or a bad value, named
   */
  static XatmConfig load(NodeOptions options, Map<String, String> environment) throws CliException {
    Map<String, String> sys = new LinkedHashMap<>();
    System.getProperties().forEach((k, v) -> sys.put(String.valueOf(k), String.valueOf(v)));
    if (options.config != null) {
      sys.put(XatmConfig.CONFIG_FILE_PROPERTY, options.config.toString());
    }
    try {
      return XatmConfig.load(sys, environment, null);
    } catch (XatmConfigException e) {
      throw new CliException(ExitCodes.USAGE, "configuration: " + e.getMessage(), e);
    }
  }
}
