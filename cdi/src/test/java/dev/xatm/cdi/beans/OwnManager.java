package dev.xatm.cdi.beans;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.wal.Durability;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An application that builds its own transaction manager. */
public class OwnManager {
  /** What the disposer saw (static: the producer's class has no instance the test can reach). */
  public static final List<XatmTransactionManager> DISPOSED = new CopyOnWriteArrayList<>();

  @Produces
  @Singleton
  XatmTransactionManager manager() throws IOException {
    Files.createDirectories(Path.of("target"));
    return XatmTransactionManager.start(
        XatmConfig.builder()
            .nodeId("cdi-own")
            .logDir(Files.createTempDirectory(Path.of("target"), "cdi-own-"))
            .durability(Durability.NO_FSYNC_UNSAFE_FOR_TESTS_ONLY)
            .installAsDefault(false)
            .jmxEnabled(false)
            .build());
  }

  void close(@Disposes XatmTransactionManager tm) throws Exception {
    DISPOSED.add(tm);
    tm.close();
  }
}
