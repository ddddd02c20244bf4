package dev.xatm.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How the offline database commands find a stopped node: the application's own configuration, read
 * exactly as {@code XatmConfig.load()} reads it ({@code xatm.properties} given with {@code
 * --config}, else {@code -Dxatm.config} or {@code XATM_CONFIG}; overridden by {@code XATM_*}
 * environment variables, overridden by {@code -Dxatm.*} system properties; an unknown key fails).
 */
final class NodeOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "The application's xatm.properties (default: -Dxatm.config or XATM_CONFIG, else"
              + " XATM_* variables only). XATM_* variables and -Dxatm.* override it, as in the"
              + " application; an unknown key is an error naming the nearest one.")
  Path config;

  @Option(
      names = "--log-dir",
      paramLabel = "DIR",
      description = "The log directory, instead of the configuration's xatm.log.dir.")
  Path logDir;
}
