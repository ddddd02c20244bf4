package dev.xatm.cdi.beans;

import dev.xatm.tm.XatmConfig;
import dev.xatm.wal.Durability;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The application's own XatmConfig: a fresh log directory per container. */
public class TestConfig {
  @Produces
  @Singleton
  XatmConfig config() throws IOException {
    Path target = Path.of("target");
    Files.createDirectories(target);
    return XatmConfig.builder()
        .nodeId("cdi-test")
        .logDir(Files.createTempDirectory(target, "cdi-log-"))
        .durability(Durability.NO_FSYNC_UNSAFE_FOR_TESTS_ONLY)
        .installAsDefault(false)
        .jmxEnabled(false)
        .reaperInterval(Duration.ofMillis(50))
        .build();
  }
}
