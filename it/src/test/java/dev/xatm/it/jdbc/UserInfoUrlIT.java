package dev.xatm.it.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.support.MariaDbServer;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.jdbc.XaDriver;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.testing.LogCapture;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jdbc:xa:postgresql://user:secret@host/db} and {@code jdbc:xa:mariadb://...} against the
 * real servers: the user-info connects (percent-decoded), the password appears in no message, no
 * descriptor, no log record of any logger at any level and no byte of the TM's log, failed attempts
 * leave no pool or thread behind, and a correct URL after failing ones works in the same JVM.
 *
 * <p>The local PostgreSQL trusts every user, so only MariaDB checks the password itself; on
 * PostgreSQL the role proves the user-info was used.
 */
class UserInfoUrlIT {
  private static final String DB = "xatm_userinfo_it";
  private static final String USER = "xatm_ui";

  /** Needs every escape the RFC asks for: '@', ':', '/', '%', a space, a non-ASCII letter. */
  private static final String PASSWORD = "Pw@rd:s/ecr%t \u00e9x";

  private static final String ENCODED = "Pw%40rd%3As%2Fecr%25t%20%C3%A9x";

  @TempDir static Path logDir;
  private static PostgresServer pg;
  private static MariaDbServer mariadb;

  @BeforeAll
  static void setUp() throws SQLException {
    pg = PostgresServer.shared();
    mariadb = MariaDbServer.shared();
    pg.recreateDatabase(DB);
    mariadb.recreateDatabase(DB);
    try (Connection c = DriverManager.getConnection(pg.adminUrl());
        Statement s = c.createStatement()) {
      s.execute("drop role if exists " + USER);
      s.execute("create role " + USER + " login password '" + PASSWORD.replace("'", "''") + "'");
    }
    try (Connection c = DriverManager.getConnection(pg.url(DB));
        Statement s = c.createStatement()) {
      s.execute("create table ui(id int primary key)");
      s.execute("grant all on ui to " + USER);
    }
    try (Connection c = DriverManager.getConnection(mariadb.adminUrl());
        Statement s = c.createStatement()) {
      s.execute("drop user if exists '" + USER + "'@'%'");
      s.execute("create user '" + USER + "'@'%' identified by '" + PASSWORD + "'");
      s.execute("grant all on " + DB + ".* to '" + USER + "'@'%'");
      s.execute("create table " + DB + ".ui(id int primary key)");
    }
  }

  @AfterAll
  static void tearDown() {
    XaDriver.instance().closePools();
  }

  private static String pgUrl(String userInfo) {
    return "jdbc:xa:postgresql://" + userInfo + "@" + pg.hostPort() + "/" + DB;
  }

  private static String mariaUrl(String userInfo) {
    return "jdbc:xa:mariadb://" + userInfo + "@" + mariadb.hostPort() + "/" + DB;
  }

  private static String currentUser(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long housekeepers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("xatm-pool-housekeeper"))
        .count();
  }

  private static void assertNoSecret(Throwable e, String... secrets) {
    StringWriter w = new StringWriter();
    e.printStackTrace(new PrintWriter(w));
    for (String s : secrets) {
      assertFalse(w.toString().contains(s), () -> s + " in:\n" + w);
    }
  }

  @Test
  void userInfoConnectsToBothServersThroughDriverManager() throws SQLException {
    try (Connection c = DriverManager.getConnection(pgUrl(USER + ":" + ENCODED))) {
      assertEquals(USER, currentUser(c, "select current_user"));
    }
    try (Connection c = DriverManager.getConnection(mariaUrl(USER + ":" + ENCODED))) {
      assertTrue(currentUser(c, "select current_user()").startsWith(USER + "@"));
    }
  }

  @Test
  void wrongPasswordsLeaveNothingBehindAndTheRightOneWorksAfterwards() throws SQLException {
    try (LogCapture log = LogCapture.all()) { // every logger, every level: xatm's and the vendors'
      wrongPasswordsLeaveNothingBehind();
      List<String> secrets = new ArrayList<>(List.of(PASSWORD, ENCODED));
      for (int i = 0; i < 10; i++) {
        secrets.add("wrong-secret-" + i);
      }
      for (String secret : secrets) {
        assertEquals(List.of(), log.showing(secret), "log records that show " + secret);
      }
      assertFalse(log.lines().isEmpty(), "the capture saw the drivers' records");
    }
  }

  private void wrongPasswordsLeaveNothingBehind() throws SQLException {
    int pools = XaDriver.instance().poolCount();
    long threads = housekeepers();
    for (int i = 0; i < 10; i++) {
      String wrong = "wrong-secret-" + i;
      String noDb = "/no_such_db_" + i;
      SQLException e =
          assertThrows(
              SQLException.class, () -> DriverManager.getConnection(mariaUrl(USER + ":" + wrong)));
      assertNoSecret(e, wrong);
      // PostgreSQL trusts every user here; a database that does not exist fails the same way.
      SQLException p =
          assertThrows(
              SQLException.class,
              () ->
                  DriverManager.getConnection(
                      "jdbc:xa:postgresql://" + USER + ":" + wrong + "@" + pg.hostPort() + noDb));
      assertNoSecret(p, wrong);
    }
    assertEquals(pools, XaDriver.instance().poolCount(), "no pool per failed attempt");
    assertEquals(threads, housekeepers(), "no housekeeper per failed attempt");
    try (Connection c = DriverManager.getConnection(mariaUrl(USER + ":" + ENCODED))) {
      assertTrue(currentUser(c, "select current_user()").startsWith(USER + "@"));
    }
  }

  @Test
  void unencodedSlashIsRefusedWithoutShowingTheSecret() {
    for (String url : List.of(pgUrl(USER + ":" + PASSWORD), mariaUrl(USER + ":" + PASSWORD))) {
      SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url));
      assertEquals("08001", e.getSQLState());
      assertTrue(e.getMessage().contains("//user:password@host"), e.getMessage());
      assertNoSecret(e, PASSWORD, "ecr%t", "Pw@rd");
    }
    // The refusal left nothing that stops the correct form.
    assertTrue(
        assertDoesNotThrowConnect(pgUrl(USER + ":" + ENCODED)),
        "the correct URL works after a refused one");
  }

  private static boolean assertDoesNotThrowConnect(String url) {
    try (Connection c = DriverManager.getConnection(url)) {
      return c.isValid(5);
    } catch (SQLException e) {
      throw new AssertionError("connect failed: " + e.getMessage(), e);
    }
  }

  @Test
  void twoPhaseCommitThroughUserInfoLogsNoPassword() throws Exception {
    try (LogCapture records = LogCapture.all()) {
      twoPhaseCommitThroughUserInfo();
      for (String secret : List.of(PASSWORD, ENCODED, "Pw@rd", "Pw%40rd")) {
        assertEquals(List.of(), records.showing(secret), "log records that show " + secret);
      }
    }
  }

  private void twoPhaseCommitThroughUserInfo() throws Exception {
    Path log = logDir.resolve("log");
    List<ResourceDescriptor> descriptors = new ArrayList<>();
    try (XatmTransactionManager tm =
        XatmTransactionManager.start(
            XatmConfig.builder()
                .nodeId("userinfo-it")
                .logDir(log)
                .installAsDefault(false)
                .reaperInterval(Duration.ofMillis(50))
                .build())) {
      try (XatmDataSource p =
              XatmDataSource.builder().url(pgUrl(USER + ":" + ENCODED)).runtime(tm).build();
          XatmDataSource m =
              XatmDataSource.builder().url(mariaUrl(USER + ":" + ENCODED)).runtime(tm).build()) {
        descriptors.add(p.descriptor());
        descriptors.add(m.descriptor());
        tm.begin();
        for (XatmDataSource ds : List.of(p, m)) {
          try (Connection c = ds.getConnection();
              Statement s = c.createStatement()) {
            s.executeUpdate("insert into ui values (1)");
          }
        }
        tm.commit(); // two resources: prepare, so both are registered in the log
      }
    }
    for (ResourceDescriptor d : descriptors) {
      assertEquals(USER, d.user());
      assertFalse(d.toString().contains("Pw@rd") || d.toString().contains("Pw%40rd"), d.toString());
      assertFalse(d.url().contains("@"), d.url());
    }
    try (XatmTransactionManager again =
        XatmTransactionManager.start(
            XatmConfig.builder()
                .nodeId("userinfo-it")
                .logDir(log)
                .installAsDefault(false)
                .build())) {
      assertEquals(2, again.startupLogState().resources().size(), "both ResourceRegistered");
      for (ResourceDescriptor d : again.startupLogState().resources().values()) {
        assertEquals(USER, d.user(), d.toString());
        assertFalse(d.url().contains("@"), d.toString());
      }
    }
    for (String secret : List.of(PASSWORD, ENCODED, "Pw@rd", "Pw%40rd", "ecr%t")) {
      assertEquals(List.of(), filesContaining(log, secret), "the log holds " + secret);
    }
    for (String sql : List.of("select count(*) from ui")) {
      try (Connection c = DriverManager.getConnection(pg.url(DB));
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        assertEquals(1, rs.getInt(1));
      }
    }
  }

  private static List<Path> filesContaining(Path dir, String secret) throws IOException {
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] b = Files.readAllBytes(f);
        if (indexOf(b, needle) >= 0) {
          out.add(f);
        }
      }
    }
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
