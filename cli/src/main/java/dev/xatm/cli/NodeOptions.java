package dev.xatm.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How the offline database commands find a stopped node: the application's own configuration
 * ({@code xatm.properties} given with {@code --config}, or {@code -Dxatm.config}, plus {@code
 * XATM_*} environment variables, exactly as {@code XatmConfig.load()} reads them).
 */
final class NodeOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "The application's xatm.properties (default: -Dxatm.config, else XATM_* variables"
              + " only). XATM_* variables override it, as in the application.")
  Path config;

  @Option(
      names = "--log-dir",
      paramLabel = "DIR",
      description = "The log directory, instead of the configuration's xatm.log.dir.")
  Path logDir;
}
