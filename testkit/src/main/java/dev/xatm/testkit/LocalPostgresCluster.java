package dev.xatm.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of a test's or benchmark's own, created with the installed {@code initdb} in
 * a directory of its own and listening on 127.0.0.1 only, so tests can stop it (even with an
 * immediate shutdown, like a crash) and start it again without touching the machine's server.
 * PostgreSQL refuses to run as root, so when the JVM runs as root the cluster belongs to the {@code
 * postgres} user and every command runs through {@code runuser}.
 *
 * <pre>{@code
 * LocalPostgresCluster pg = LocalPostgresCluster.builder(Path.of("target/pg"), 29432)
 *     .setting("max_prepared_transactions", "100").build();
 * pg.start();                  // initdb on first use; adopts a running server only if it is ours
 * pg.stop("immediate");        // as a crash would
 * }</pre>
 *
 * <p>Not thread-safe: one owner drives it.
 */
public final class LocalPostgresCluster {
  private final Path data;
  private final int port;
  private final Map<String, String> settings;
  private final boolean asPostgresUser = "root".equals(System.getProperty("user.name"));
  private Path bin;

  private LocalPostgresCluster(Path data, int port, Map<String, String> settings) {
    this.port = port;
    this.settings = Map.copyOf(settings);
    this.data = reachable(data.toAbsolutePath());
  }

  /**
   * When the cluster must belong to the {@code postgres} user, that user needs to traverse every
   * directory above the data directory; a checkout under a private home (mode 700) does not allow
   * it. Then the cluster lives under the system temporary directory instead, at a path derived from
   * the requested one, so every run of the same checkout finds the same cluster.
   */
  private Path reachable(Path requested) {
    if (!asPostgresUser) {
      return requested;
    }
    Path parent = requested.getParent();
    try {
      Files.createDirectories(parent);
      run(List.of("runuser", "-u", "postgres", "--", "test", "-x", parent.toString()));
      return requested;
    } catch (IOException e) {
      Path fallback =
          Path.of(System.getProperty("java.io.tmpdir"))
              .resolve("xatm-pg-" + port + "-" + Integer.toHexString(requested.hashCode()));
      System.err.println(
          "the postgres user cannot reach "
              + parent
              + "; the PostgreSQL cluster goes to "
              + fallback);
      return fallback;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return requested;
    }
  }

  public static Builder builder(Path data, int port) {
    return new Builder(data, port);
  }

  /** JDBC URL of the {@code postgres} database as user postgres (trust authentication). */
  public String adminUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
  }

  public int port() {
    return port;
  }

  public Path dataDirectory() {
    return data;
  }

  /**
   * Creates the cluster on first use, then starts it unless it is already running. A server already
   * listening on the port is adopted only if it runs on this data directory: callers stop and start
   * their cluster, and must never do that to someone else's.
   */
  public void start() throws IOException, InterruptedException {
    if (!Files.exists(data.resolve("PG_VERSION"))) {
      create();
    }
    if (isUp()) {
      requireOurs();
      return;
    }
    runPg(
        List.of(
            bin().resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-l",
            data.resolve("server.log").toString(),
            // The port on the command line wins over postgresql.conf: a data directory made
            // earlier for another port (the port moved) still starts where it is looked for.
            "-o",
            "-p " + port,
            "-w",
            "-t",
            "60",
            "start"));
  }

  /** Stops the server: {@code fast}, or {@code immediate} (no checkpoint; like a crash). */
  public void stop(String mode) throws IOException, InterruptedException {
    runPg(
        List.of(
            bin().resolve("pg_ctl").toString(), "-D", data.toString(), "-m", mode, "-w", "stop"));
  }

  /** Stops the cluster (fast) when the JVM exits. */
  public void stopOnExit() {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    stop("fast");
                  } catch (IOException | InterruptedException e) {
                    System.err.println("stopping the PostgreSQL cluster in " + data + ": " + e);
                  }
                }));
  }

  public boolean isUp() {
    try (Connection c = DriverManager.getConnection(adminUrl())) {
      return c.isValid(5);
    } catch (SQLException e) {
      return false;
    }
  }

  private void create() throws IOException, InterruptedException {
    Files.createDirectories(data);
    if (asPostgresUser) {
      run(List.of("chown", "postgres:postgres", data.toString()));
      run(List.of("chmod", "700", data.toString()));
    }
    runPg(
        List.of(
            bin().resolve("initdb").toString(),
            "-D",
            data.toString(),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync"));
    StringBuilder conf =
        new StringBuilder("\nport = ")
            .append(port)
            .append("\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n");
    settings.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
    // Appending keeps the file's owner, so this works as root for a postgres-owned cluster.
    Files.writeString(
        data.resolve("postgresql.conf"),
        conf.toString(),
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }

  private void requireOurs() throws IOException {
    String theirs;
    try (Connection c = DriverManager.getConnection(adminUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("show data_directory")) {
      rs.next();
      theirs = rs.getString(1);
    } catch (SQLException e) {
      throw new IOException("cannot ask the server on port " + port + " for its data directory", e);
    }
    if (!Path.of(theirs).toRealPath().equals(data.toRealPath())) {
      throw new IOException(
          "port "
              + port
              + " is taken by a PostgreSQL server on "
              + theirs
              + ", not "
              + data
              + ": stop it (pg_ctl -D "
              + theirs
              + " stop) or use another server");
    }
  }

  private Path bin() throws IOException {
    if (bin == null) {
      Path root = Path.of("/usr/lib/postgresql");
      if (!Files.isDirectory(root)) {
        throw new IOException("no PostgreSQL server binaries under " + root);
      }
      try (Stream<Path> versions = Files.list(root)) {
        bin =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")))
                .max(Comparator.comparing(Path::toString))
                .orElseThrow(() -> new IOException("no initdb under " + root));
      }
    }
    return bin;
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

  /** Builder for {@link LocalPostgresCluster}. */
  public static final class Builder {
    private final Path data;
    private final int port;
    private final Map<String, String> settings = new LinkedHashMap<>();

    private Builder(Path data, int port) {
      this.data = data;
      this.port = port;
    }

    /** A {@code postgresql.conf} setting written when the cluster is created. */
    public Builder setting(String name, String value) {
      settings.put(name, value);
      return this;
    }

    public LocalPostgresCluster build() {
      return new LocalPostgresCluster(data, port, settings);
    }
  }
}
