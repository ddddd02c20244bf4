package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline commands read the application's configuration with XatmConfig's one dialect (issue
 * 12): a typo fails naming the nearest key instead of looking at ./xatm-log.
 */
class ConfigLoadingTest {
  @TempDir Path tmp;

  @Test
  void aTypoInTheApplicationsConfigurationIsAUsageErrorNamingTheNearestKey() throws Exception {
    Path config = tmp.resolve("xatm.properties");
    Files.write(config, List.of("xatm.log.dri=" + tmp.resolve("log")));
    for (String command : List.of("indoubt", "foreign", "heuristic")) {
      Cli.Result r = Cli.run(command, "list", "--config", config.toString());
      assertEquals(ExitCodes.USAGE, r.code(), r.toString());
      assertTrue(r.err().contains("did you mean xatm.log.dir?"), r.toString());
    }
  }

  @Test
  void aDurationWithoutUnitIsAUsageError() throws Exception {
    Path config = tmp.resolve("xatm.properties");
    Files.write(config, List.of("xatm.recovery.backoff.max=300"));
    Cli.Result r = Cli.run("indoubt", "list", "--config", config.toString());
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains("xatm.recovery.backoff.max"), r.toString());
    assertTrue(r.err().contains("needs a unit"), r.toString());
  }
}
