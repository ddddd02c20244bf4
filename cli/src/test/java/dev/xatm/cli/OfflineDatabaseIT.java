package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.xa.PGXADataSource;

/**
 * The offline listings against the real PostgreSQL (127.0.0.1:5432, user postgres) and MariaDB
 * (127.0.0.1:3306, root, database test): a node of the application ({@link DbCrashChild}) dies with
 * both branches prepared, then {@code indoubt list} with the application's xatm.properties shows
 * each branch with its log state, what the next start does, and the database's own form; foreign
 * Xids prepared through the drivers show in {@code foreign list}; a live node is refused. Every
 * test leaves no prepared transaction: the node is started again (its recovery resolves its
 * branches) and the foreign ones are rolled back.
 */
class OfflineDatabaseIT {
  private static final String PG = "jdbc:postgresql://127.0.0.1:5432/postgres";
  private static final String MARIA = "jdbc:mariadb://127.0.0.1:3306/test";

  @TempDir Path tmp;
  private final String id = UUID.randomUUID().toString().substring(0, 8);
  private final String node = "cli-off-" + id;
  private final String table = "cli_off_" + id;
  private final List<Runnable> cleanup = new ArrayList<>();
  private Path config;

  @BeforeEach
  void setUp() throws Exception {
    sql(PG + "?user=postgres", "CREATE TABLE " + table + " (v INT)");
    sql(MARIA + "?user=root", "CREATE TABLE " + table + " (v INT)");
    config = tmp.resolve("xatm.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "xatm.node-id=" + node,
            "xatm.log.dir=" + tmp.resolve("log"),
            "xatm.log.segment-size=64KiB",
            "xatm.recovery.interval=0",
            "xatm.recovery.resource.pg.url=jdbc:xa:postgresql://127.0.0.1:5432/postgres",
            "xatm.recovery.resource.pg.user=postgres",
            "xatm.recovery.resource.pg.password=",
            "xatm.recovery.resource.maria.url=jdbc:xa:mariadb://127.0.0.1:3306/test",
            "xatm.recovery.resource.maria.user=root",
            "xatm.recovery.resource.maria.password=",
            ""));
  }

  @AfterEach
  void tearDown() throws Exception {
    RuntimeException failed = null;
    for (Runnable r : cleanup) {
      try {
        r.run();
      } catch (RuntimeException e) {
        failed = e;
      }
    }
    // The node's recovery resolves whatever it left prepared (I4).
    if (Files.exists(tmp.resolve("log"))) {
      XatmConfig c = XatmConfig.load(Map.of("xatm.config", config.toString()), Map.of(), null);
      XatmTransactionManager.builder(c).installAsDefault(false).start().close();
    }
    assertEquals(List.of(), pgGids(), "prepared transactions left on PostgreSQL");
    sql(PG + "?user=postgres", "DROP TABLE " + table);
    sql(MARIA + "?user=root", "DROP TABLE " + table);
    if (failed != null) {
      throw failed;
    }
  }

  private static void sql(String url, String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  /** Gids of prepared transactions that are this test's (its node id or its foreign gtrid). */
  private List<String> pgGids() throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(PG + "?user=postgres");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT gid FROM pg_prepared_xacts")) {
      while (r.next()) {
        String gid = r.getString(1);
        if (decodedContains(gid, node) || decodedContains(gid, id)) {
          out.add(gid);
        }
      }
    }
    return out;
  }

  private static boolean decodedContains(String gid, String s) {
    String[] f = gid.split("_");
    if (f.length != 3) {
      return false;
    }
    try {
      return new String(java.util.Base64.getDecoder().decode(f[1]), StandardCharsets.ISO_8859_1)
          .contains(s);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** XA RECOVER rows of MariaDB as the command prints them, for this test's Xids. */
  private List<String> mariaRows() throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(MARIA + "?user=root");
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("XA RECOVER")) {
      while (r.next()) {
        byte[] data = r.getBytes("data");
        String row =
            "formatID="
                + r.getLong("formatID")
                + " gtrid_length="
                + r.getLong("gtrid_length")
                + " bqual_length="
                + r.getLong("bqual_length")
                + " data=0x"
                + HexFormat.of().formatHex(data);
        String text = new String(data, StandardCharsets.ISO_8859_1);
        if (text.contains(node) || text.contains(id)) {
          out.add(row);
        }
      }
    }
    return out;
  }

  private Process child(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add(DbCrashChild.class.getName());
    cmd.add(config.toString());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** The node dies at {@code point}; returns the gtrid it was committing. */
  private String crashAt(Failpoint point) throws Exception {
    Process p = child("halt", point.name(), table);
    String gtrid = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("HALT ")) {
          gtrid = line.substring(5);
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(77, p.exitValue(), "the node halted at " + point);
    return gtrid;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
    return (List<Map<String, Object>>) m.get(key);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aDecidedTransactionOfAStoppedNodeShowsAsCommitWithTheDatabasesForms() throws Exception {
    String gtrid = crashAt(Failpoint.AFTER_COMMITTING_DURABLE);
    List<String> gids = pgGids();
    List<String> rows = mariaRows();
    assertEquals(1, gids.size(), "one PostgreSQL branch prepared");
    assertEquals(1, rows.size(), "one MariaDB branch prepared");

    Cli.Result json =
        Cli.runReadOnly(
            tmp.resolve("log"), "indoubt", "list", "--config", config.toString(), "--json");
    assertEquals(ExitCodes.OK, json.code(), json.toString());
    Map<String, Object> m = MiniJson.object(json.out());
    assertEquals(node, m.get("nodeId"));
    assertEquals(2L, m.get("nextEpoch"));
    List<Map<String, Object>> xs = list(m, "prepared");
    assertEquals(2, xs.size(), json.out());
    for (Map<String, Object> x : xs) {
      assertTrue(((String) x.get("xid")).startsWith(gtrid + "#"), x.toString());
      assertEquals("COMMITTING", x.get("logState"));
      assertEquals("COMMIT", x.get("nextStart"));
      Map<String, Object> db = (Map<String, Object>) x.get("database");
      if (((String) x.get("resourceId")).contains("postgresql")) {
        assertEquals(gids.get(0), db.get("gid"), "the gid pg_prepared_xacts shows");
        assertEquals(Boolean.FALSE, x.get("ageIsUpperBound"), "pg_prepared_xacts.prepared");
      } else {
        assertTrue(rows.get(0).endsWith(String.valueOf(db.get("data"))), rows + " " + db);
      }
    }

    Cli.Result text =
        Cli.runReadOnly(tmp.resolve("log"), "indoubt", "list", "--config", config.toString());
    assertEquals(ExitCodes.OK, text.code(), text.toString());
    assertTrue(
        text.out()
            .matches(
                "(?s).*\\n  "
                    + java.util.regex.Pattern.quote(gtrid)
                    + "#\\d  postgres@jdbc:xa:postgresql://\\S+ +decided \\(Committing, no End\\)"
                    + "  COMMIT +\\d+s  gid "
                    + java.util.regex.Pattern.quote(gids.get(0))
                    + " +durable Committing without End: commit\\n.*"),
        text.out());
    assertTrue(text.out().contains(rows.get(0)), "the XA RECOVER row: " + text.out());

    Cli.Result none = Cli.run("foreign", "list", "--config", config.toString(), "--json");
    assertEquals(ExitCodes.OK, none.code(), none.toString());
    assertTrue(
        list(MiniJson.object(none.out()), "foreign").stream()
            .noneMatch(x -> String.valueOf(x.get("xid")).contains(node)),
        "the node's own Xids are not foreign");
  }

  @Test
  void anUndecidedTransactionIsPresumedAbortedAndForeignXidsAreListedNeverTouched()
      throws Exception {
    crashAt(Failpoint.BEFORE_COMMITTING_DURABLE);
    Xid pgForeign = foreignXid(4711, "pg");
    XAConnection pc = pgXa();
    prepare(pc, pgForeign, "INSERT INTO " + table + " VALUES (2)");
    pc.close(); // a prepared branch outlives its session (and MariaDB frees it only then)
    cleanup.add(() -> rollback(pgXa(), pgForeign));
    Xid mariaForeign = foreignXid(4712, "ma");
    XAConnection mc = mariaXa();
    prepare(mc, mariaForeign, "INSERT INTO " + table + " VALUES (2)");
    mc.close();
    cleanup.add(() -> rollback(mariaXa(), mariaForeign));

    Cli.Result json = Cli.run("indoubt", "list", "--config", config.toString(), "--json");
    assertEquals(ExitCodes.OK, json.code(), json.toString());
    List<Map<String, Object>> xs = list(MiniJson.object(json.out()), "prepared");
    assertEquals(2, xs.size(), json.out());
    for (Map<String, Object> x : xs) {
      assertEquals("ROLLBACK", x.get("nextStart"), x.toString());
      assertTrue(String.valueOf(x.get("reason")).contains("presumed abort"), x.toString());
    }

    Cli.Result foreign =
        Cli.runReadOnly(tmp.resolve("log"), "foreign", "list", "--config", config.toString());
    assertEquals(ExitCodes.OK, foreign.code(), foreign.toString());
    assertTrue(foreign.out().contains("format id 0x00001267"), foreign.out());
    assertTrue(foreign.out().contains("gid 4711_"), foreign.out());
    assertTrue(foreign.out().contains("formatID=4712 gtrid_length="), foreign.out());
    assertTrue(foreign.out().contains("never touched"), foreign.out());
    assertFalse(foreign.out().contains(node + "/"), "the node's own Xids are not foreign");
  }

  /**
   * Issue 14: an operator resolves an in-doubt Xid of a stopped node through its log. The node died
   * before its decision; its log keeps the gtrid in doubt (a KeptInDoubt record, as a damaged-mode
   * start writes). `indoubt commit` logs the decision first and commits the PostgreSQL branch; a
   * rollback of the now decided gtrid is refused (I3); the next start commits the MariaDB branch.
   */
  @Test
  void anInDoubtXidOfAStoppedNodeIsCommittedThroughItsLog() throws Exception {
    String gtridText = crashAt(Failpoint.BEFORE_COMMITTING_DURABLE);
    dev.xatm.tm.Gtrid g = dev.xatm.tm.Gtrid.parse(gtridText).orElseThrow();
    try (dev.xatm.tm.log.WalTxLog log =
        new dev.xatm.tm.log.WalTxLog(
            dev.xatm.wal.Wal.open(
                dev.xatm.wal.WalConfig.builder(tmp.resolve("log"))
                    .segmentSize(64 * 1024)
                    .maxRecordSize(16 * 1024)
                    .build()))) {
      dev.xatm.tm.snapshot.LogLifecycle.prepare(
          log, XatmConfig.builder().segmentSize(64 * 1024).build(), java.time.Clock.systemUTC());
      log.replay();
      log.logKeptInDoubt(g, "test: kept for an operator");
    }
    Cli.Result listed = Cli.run("indoubt", "list", "--config", config.toString(), "--json");
    List<Map<String, Object>> xs = list(MiniJson.object(listed.out()), "prepared");
    String pgXid =
        xs.stream()
            .filter(x -> "LEAVE_ALONE".equals(x.get("nextStart")))
            .filter(x -> String.valueOf(x.get("resourceId")).contains("postgres"))
            .map(x -> String.valueOf(x.get("xid")))
            .findFirst()
            .orElseThrow(() -> new AssertionError(listed.out()));

    Cli.Result commit = Cli.run("indoubt", "commit", pgXid, "--config", config.toString());
    assertEquals(ExitCodes.OK, commit.code(), commit.toString());
    assertTrue(commit.out().contains("operator commit: done"), commit.out());
    Cli.Result refused = Cli.run("indoubt", "rollback", pgXid, "--config", config.toString());
    assertEquals(ExitCodes.REFUSED, refused.code(), refused.toString());
    assertTrue(refused.err().contains("I3"), refused.err());
    // The next start commits the other branch (the decision is in the log): tearDown starts it.
  }

  @Test
  void aLiveNodeIsRefusedNamingItsPidAndTheOnlineMode() throws Exception {
    Process p = child("hold");
    try {
      BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = r.readLine();
      while (line != null && !line.startsWith("READY ")) {
        line = r.readLine();
      }
      assertTrue(line != null, "the node did not start");
      Cli.Result refused = Cli.run("indoubt", "list", "--config", config.toString());
      assertEquals(ExitCodes.LOCKED, refused.code(), refused.toString());
      assertTrue(refused.err().contains("pid=" + p.pid()), refused.err());
      assertTrue(refused.err().contains("--pid " + p.pid()), refused.err());
    } finally {
      p.getOutputStream().close();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    }
  }

  private Xid foreignXid(int format, String tag) {
    byte[] g = ("other-tm-" + id + "-" + tag).getBytes(StandardCharsets.US_ASCII);
    byte[] b = {1};
    return new Xid() {
      @Override
      public int getFormatId() {
        return format;
      }

      @Override
      public byte[] getGlobalTransactionId() {
        return g.clone();
      }

      @Override
      public byte[] getBranchQualifier() {
        return b.clone();
      }
    };
  }

  private static XAConnection pgXa() {
    try {
      PGXADataSource ds = new PGXADataSource();
      ds.setUrl(PG);
      ds.setUser("postgres");
      return ds.getXAConnection();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static XAConnection mariaXa() {
    try {
      MariaDbDataSource ds = new MariaDbDataSource(MARIA + "?user=root");
      return ds.getXAConnection();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void prepare(XAConnection c, Xid xid, String statement) throws Exception {
    XAResource xa = c.getXAResource();
    xa.start(xid, XAResource.TMNOFLAGS);
    try (Statement s = c.getConnection().createStatement()) {
      s.execute(statement);
    }
    xa.end(xid, XAResource.TMSUCCESS);
    xa.prepare(xid);
  }

  private static void rollback(XAConnection c, Xid xid) {
    try {
      c.getXAResource().rollback(xid);
      c.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not roll back the test's foreign Xid", e);
    }
  }
}
