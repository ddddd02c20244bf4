package dev.xatm.it.support;

import dev.xatm.testkit.LocalPostgresCluster;
import java.io.IOException;

/**
 * The integration tests' own PostgreSQL cluster ({@link LocalPostgresCluster}) under {@code
 * target/pg-cluster}, on 127.0.0.1:{@value #PORT}, with {@code fsync=on} and {@code
 * max_prepared_transactions=100}. Started once per JVM and stopped when it exits.
 */
final class PrivatePostgres {
  static final int PORT = 29432; // below the ephemeral range 32768-60999, see ClusterTmIT
  private static PrivatePostgres shared;

  private final LocalPostgresCluster cluster;

  private PrivatePostgres(LocalPostgresCluster cluster) {
    this.cluster = cluster;
  }

  static synchronized PrivatePostgres startShared() {
    if (shared == null) {
      LocalPostgresCluster cluster =
          LocalPostgresCluster.builder(PostgresServer.targetDir().resolve("pg-cluster"), PORT)
              .setting("max_prepared_transactions", "100")
              .setting("fsync", "on")
              .setting("max_connections", "200")
              .build();
      try {
        cluster.start();
      } catch (IOException | InterruptedException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException(
            "no PostgreSQL with max_prepared_transactions > 0 is available: set XATM_IT_PG_URL, "
                + "or enable prepared transactions on 127.0.0.1:5432 (bash .ci/prepare-databases.sh), "
                + "or install the PostgreSQL server binaries so the tests can start their own "
                + "cluster. Starting a private cluster failed: "
                + e.getMessage(),
            e);
      }
      cluster.stopOnExit();
      shared = new PrivatePostgres(cluster);
    }
    return shared;
  }

  String adminUrl() {
    return cluster.adminUrl();
  }

  void start() throws IOException, InterruptedException {
    cluster.start();
  }

  void stop(String mode) throws IOException, InterruptedException {
    cluster.stop(mode);
  }
}
