package dev.xatm.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the tests' own, created with the installed {@code initdb} under {@code
 * target/pg-cluster} and listening on 127.0.0.1:{@value #PORT}, with {@code fsync=on} and {@code
 * max_prepared_transactions=100}. PostgreSQL refuses to run as root, so when the tests run as root
 * the cluster belongs to the {@code postgres} user and commands run through {@code runuser}. It is
 * stopped when the JVM exits.
 */
final class PrivatePostgres {
  static final int PORT = 55432;
  private static PrivatePostgres shared;

  private final Path bin;
  private final Path data;
  private final boolean asPostgresUser;

  private PrivatePostgres(Path bin, Path data, boolean asPostgresUser) {
    this.bin = bin;
    this.data = data;
    this.asPostgresUser = asPostgresUser;
  }

  static synchronized PrivatePostgres startShared() {
    if (shared == null) {
      try {
        PrivatePostgres pg = create();
        pg.start();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      try {
                        pg.stop("fast");
                      } catch (IOException | InterruptedException e) {
                        // The JVM is exiting; the next run's initdb check handles a left cluster.
                      }
                    }));
        shared = pg;
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
    }
    return shared;
  }

  String adminUrl() {
    return "jdbc:postgresql://127.0.0.1:" + PORT + "/postgres?user=postgres";
  }

  private static PrivatePostgres create() throws IOException, InterruptedException {
    Path bin = findBinDir();
    Path data = PostgresServer.targetDir().resolve("pg-cluster");
    boolean root = "root".equals(System.getProperty("user.name"));
    PrivatePostgres pg = new PrivatePostgres(bin, data, root);
    if (!Files.exists(data.resolve("PG_VERSION"))) {
      Files.createDirectories(data);
      if (root) {
        run(List.of("chown", "postgres:postgres", data.toString()));
        run(List.of("chmod", "700", data.toString()));
      }
      pg.runPg(
          List.of(
              bin.resolve("initdb").toString(),
              "-D",
              data.toString(),
              "-U",
              "postgres",
              "--auth=trust",
              "--no-sync"));
      String conf =
          "\nport = "
              + PORT
              + "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''"
              + "\nmax_prepared_transactions = 100\nfsync = on\nmax_connections = 200\n";
      // Appending keeps the file's owner, so this works as root for a postgres-owned cluster.
      Files.writeString(
          data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
    return pg;
  }

  void start() throws IOException, InterruptedException {
    if (isUp()) {
      requireOurs();
      return;
    }
    runPg(
        List.of(
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            data.resolve("server.log").toString(),
            "-w",
            "-t",
            "60",
            "start"));
  }

  void stop(String mode) throws IOException, InterruptedException {
    runPg(
        List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", mode, "-w", "stop"));
  }

  /**
   * A server already listening on our port is adopted only if it runs on our data directory: tests
   * stop and start this cluster, and must never do that to someone else's.
   */
  private void requireOurs() throws IOException {
    String theirs;
    try (Connection c = DriverManager.getConnection(adminUrl());
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("show data_directory")) {
      rs.next();
      theirs = rs.getString(1);
    } catch (SQLException e) {
      throw new IOException("cannot ask the server on port " + PORT + " for its data directory", e);
    }
    if (!Path.of(theirs).toRealPath().equals(data.toRealPath())) {
      throw new IOException(
          "port "
              + PORT
              + " is taken by a PostgreSQL server on "
              + theirs
              + ", not this build's "
              + data
              + ": stop it (pg_ctl -D "
              + theirs
              + " stop) or point the tests at a server with XATM_IT_PG_URL");
    }
  }

  private boolean isUp() {
    try (Connection c = DriverManager.getConnection(adminUrl())) {
      return c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  private static Path findBinDir() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      throw new IOException("no PostgreSQL server binaries under " + root);
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(Path::toString))
          .orElseThrow(() -> new IOException("no initdb under " + root));
    }
  }

  private void runPg(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asPostgresUser) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out.strip());
    }
  }
}
