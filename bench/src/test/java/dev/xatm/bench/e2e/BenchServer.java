package dev.xatm.bench.e2e;

import dev.xatm.testkit.LocalPostgresCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The PostgreSQL server the benchmark runs against, and why.
 *
 * <ol>
 *   <li>{@code -Dbench.pg.url=jdbc:postgresql://host:port/postgres?user=...} when given (an admin
 *       URL of a superuser: the benchmark creates databases and runs CHECKPOINT);
 *   <li>otherwise the system server on 127.0.0.1:5432 (user postgres) if its limits fit the largest
 *       thread count: every contender holds one connection per thread per database and up to one
 *       prepared transaction per connection, so it needs {@code 2 × threads} free connections and
 *       {@code max_prepared_transactions ≥ 2 × threads};
 *   <li>otherwise a private cluster created under {@code bench/target/pg-e2e} from the installed
 *       server binaries, on 127.0.0.1:{@value #PRIVATE_PORT}, with PostgreSQL's default durability
 *       settings and the connection limits raised. It is stopped when the JVM exits.
 * </ol>
 */
final class BenchServer {
  static final int PRIVATE_PORT = 55442;
  private static final String SYSTEM_URL =
      "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";

  final String adminUrl;
  final String why;
  private final BenchServer second; // holds database B when two servers are used, else null

  private BenchServer(String adminUrl, String why) {
    this(adminUrl, why, null);
  }

  private BenchServer(String adminUrl, String why, BenchServer second) {
    this.adminUrl = adminUrl;
    this.why = why;
    this.second = second;
  }

  /**
   * With {@code -Dbench.servers=2}: database B on a second private cluster (its own WAL and
   * fsyncs), as when two resource databases are two servers; database A stays where {@link #locate}
   * put it.
   */
  BenchServer withSecondServer(Path targetDir, int maxThreads) throws Exception {
    String url = startPrivate(targetDir.resolve("pg-e2e-b"), maxThreads, PRIVATE_PORT + 1);
    String misfit = misfit(url, maxThreads);
    if (misfit != null) {
      throw new IllegalStateException("the second private cluster does not fit: " + misfit);
    }
    return new BenchServer(
        adminUrl,
        why
            + "; database B on a second private cluster on 127.0.0.1:"
            + (PRIVATE_PORT + 1)
            + " (bench/target/e2e/pg-e2e-b)",
        new BenchServer(url, "second"));
  }

  /** {@return the admin URLs of every server in use (one or two)} */
  List<String> adminUrls() {
    return second == null ? List.of(adminUrl) : List.of(adminUrl, second.adminUrl);
  }

  /** {@return the server holding {@code database}} */
  private BenchServer of(String database) {
    return second != null && database.equals(BankTables.DB_B) ? second : this;
  }

  static BenchServer locate(int maxThreads, Path targetDir) throws Exception {
    String given = System.getProperty("bench.pg.url");
    if (given != null && !given.isBlank()) {
      String misfit = misfit(given, maxThreads);
      if (misfit != null) {
        throw new IllegalStateException(
            "bench.pg.url=" + given + " cannot run the benchmark: " + misfit);
      }
      return new BenchServer(given, "given by -Dbench.pg.url");
    }
    String misfit;
    try {
      misfit = misfit(SYSTEM_URL, maxThreads);
    } catch (SQLException e) {
      misfit = "not reachable (" + e.getMessage() + ")";
    }
    if (misfit == null) {
      return new BenchServer(SYSTEM_URL, "the system server at 127.0.0.1:5432: its limits fit");
    }
    String url = startPrivate(targetDir.resolve("pg-e2e"), maxThreads, PRIVATE_PORT);
    String still = misfit(url, maxThreads);
    if (still != null) {
      throw new IllegalStateException("the private cluster does not fit either: " + still);
    }
    return new BenchServer(
        url,
        "a private cluster on 127.0.0.1:"
            + PRIVATE_PORT
            + " (bench/target/pg-e2e), because the system server at 127.0.0.1:5432 does not fit "
            + maxThreads
            + " threads: "
            + misfit);
  }

  /** Why the server cannot hold {@code maxThreads} threads of the benchmark, or null. */
  private static String misfit(String url, int maxThreads) throws SQLException {
    int need = 2 * maxThreads;
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      int maxConnections = intSetting(s, "max_connections");
      int reserved = intSetting(s, "superuser_reserved_connections");
      int maxPrepared = intSetting(s, "max_prepared_transactions");
      int inUse;
      try (ResultSet rs =
          s.executeQuery(
              "select count(*) from pg_stat_activity where backend_type = 'client backend'")) {
        rs.next();
        inUse = rs.getInt(1);
      }
      int preparedNow;
      try (ResultSet rs = s.executeQuery("select count(*) from pg_prepared_xacts")) {
        rs.next();
        preparedNow = rs.getInt(1);
      }
      // A few spare: the benchmark's own admin connection, and other clients coming and going.
      int free = maxConnections - reserved - inUse - 4;
      List<String> problems = new ArrayList<>();
      if (free < need) {
        problems.add(
            "needs "
                + need
                + " connections, max_connections = "
                + maxConnections
                + " ("
                + reserved
                + " reserved, "
                + inUse
                + " in use)");
      }
      if (maxPrepared - preparedNow < need) {
        problems.add(
            "needs "
                + need
                + " prepared transactions, max_prepared_transactions = "
                + maxPrepared
                + " ("
                + preparedNow
                + " prepared now)");
      }
      return problems.isEmpty() ? null : String.join("; ", problems);
    }
  }

  private static int intSetting(Statement s, String name) throws SQLException {
    try (ResultSet rs = s.executeQuery("show " + name)) {
      rs.next();
      return Integer.parseInt(rs.getString(1));
    }
  }

  /** Settings of the server, for the report. */
  String settings() throws SQLException {
    StringBuilder sb = new StringBuilder();
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      for (String name :
          List.of(
              "server_version",
              "fsync",
              "synchronous_commit",
              "full_page_writes",
              "wal_sync_method",
              "commit_delay",
              "shared_buffers",
              "max_connections",
              "max_prepared_transactions",
              "checkpoint_timeout",
              "max_wal_size")) {
        try (ResultSet rs = s.executeQuery("show " + name)) {
          rs.next();
          sb.append(sb.length() == 0 ? "" : ", ").append(name).append('=').append(rs.getString(1));
        }
      }
    }
    return sb.toString();
  }

  /** A plain JDBC URL of {@code database} on the server that holds it, same user. */
  String url(String database) {
    return of(database).urlHere(database);
  }

  private String urlHere(String database) {
    int slash = adminUrl.indexOf('/', "jdbc:postgresql://".length());
    int query = adminUrl.indexOf('?', slash);
    return adminUrl.substring(0, slash + 1)
        + database
        + (query < 0 ? "" : adminUrl.substring(query));
  }

  /** A {@code jdbc:xa:} URL of {@code database} without credentials (see {@link #user()}). */
  String xaUrl(String database) {
    String plain = url(database);
    int query = plain.indexOf('?');
    return "jdbc:xa:" + (query < 0 ? plain : plain.substring(0, query)).substring("jdbc:".length());
  }

  /** The {@code user} parameter of the admin URL. */
  String user() {
    return parameter("user", "postgres");
  }

  /** The {@code password} parameter of the admin URL, or empty (trust authentication). */
  String password() {
    return parameter("password", "");
  }

  private String parameter(String name, String otherwise) {
    int query = adminUrl.indexOf('?');
    if (query >= 0) {
      for (String kv : adminUrl.substring(query + 1).split("&")) {
        if (kv.startsWith(name + "=")) {
          return kv.substring(name.length() + 1);
        }
      }
    }
    return otherwise;
  }

  // ---- private cluster ----

  private static String startPrivate(Path data, int maxThreads, int port)
      throws IOException, InterruptedException {
    int limit = Math.max(200, 2 * maxThreads + 50);
    // Durability stays at PostgreSQL's defaults (fsync, synchronous_commit, full_page_writes on);
    // only the limits XA at 64 threads needs are raised, and checkpoints are spaced out (the
    // benchmark forces one between configurations instead), as in research/bench-anchors.md.
    LocalPostgresCluster cluster =
        LocalPostgresCluster.builder(data, port)
            .setting("max_connections", Integer.toString(limit))
            .setting("max_prepared_transactions", Integer.toString(limit))
            .setting("checkpoint_timeout", "30min")
            .setting("max_wal_size", "4GB")
            .build();
    boolean wasUp = cluster.isUp();
    cluster.start();
    if (!wasUp) {
      cluster.stopOnExit();
    }
    return cluster.adminUrl();
  }
}
