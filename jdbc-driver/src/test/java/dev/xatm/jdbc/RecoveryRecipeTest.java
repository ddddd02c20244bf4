package dev.xatm.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.testing.FakeTransactionManager;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The recipe a framework hands the TM's recovery before any pool exists: the same descriptor as the
 * pool, wherever the password was written.
 */
class RecoveryRecipeTest {
  @Test
  void aPasswordInTheUrlMovesOutOfTheRecipeUrlInEveryForm() throws SQLException {
    String[][] cases = {
      {"jdbc:postgresql://db1:5432/bank?user=app&password=s3cret", null},
      {"jdbc:xa:postgresql://app:s3cret@db1:5432/bank", null},
      {"jdbc:postgresql://db1:5432/bank?password=s3cret", "app"},
      {"jdbc:mariadb://db1:5432/bank?password=s3cret&user=app", null},
    };
    for (String[] c : cases) {
      RecoveryRecipe r = RecoveryRecipe.of(c[0], c[1], null, null);
      String vendor = c[0].contains("mariadb") ? "mariadb" : "postgresql";
      assertEquals("jdbc:xa:" + vendor + "://db1:5432/bank", r.url(), c[0]);
      assertEquals("app", r.user(), c[0]);
      assertEquals("s3cret", r.password(), c[0]);
      assertEquals(List.of(), r.leftOutParameters(), c[0]);
      assertFalse(r.toString().contains("s3cret"), r::toString);
      assertFalse(r.descriptor().toString().contains("s3cret"));
    }
    RecoveryRecipe h2 =
        RecoveryRecipe.of("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1;PASSWORD=s3cret", "sa", null, null);
    assertEquals("jdbc:xa:h2:mem:x;DB_CLOSE_DELAY=-1", h2.url());
    assertEquals("s3cret", h2.password());
  }

  @Test
  void credentialsGivenBesideTheUrlWinAsInThePool() throws SQLException {
    RecoveryRecipe r =
        RecoveryRecipe.of("jdbc:postgresql://h/db?user=u1&password=p1", "u2", "p2", null);
    assertEquals("u2", r.user());
    assertEquals("p2", r.password());
    RecoveryRecipe none = RecoveryRecipe.of("jdbc:xa:postgresql://h/db", null, null, null);
    assertNull(none.user());
    assertNull(none.password());
    assertEquals("RecoveryRecipe[jdbc:xa:postgresql://h/db]", none.toString());
  }

  @Test
  void secretLookingVendorParametersAreLeftOutAndNamed() throws SQLException {
    RecoveryRecipe r =
        RecoveryRecipe.of("jdbc:postgresql://h/db?ssl=true&sslpassword=k3y", "app", "pw", null);
    assertEquals("jdbc:xa:postgresql://h/db?ssl=true", r.url());
    assertEquals(List.of("sslpassword"), r.leftOutParameters());
    assertFalse(r.toString().contains("k3y"));
  }

  @Test
  void theRecipeIsThePoolsDescriptorAlsoWithAnXaDataSourceClassGivenBeside() throws Exception {
    // Before, a class given beside the URL was missing from the pool's descriptor: the resource
    // the pool logged could not be reconnected for a vendor xatm does not know by name, and a
    // recipe naming the class was a second resource.
    String url = "jdbc:xa:h2:mem:recipe_class;DB_CLOSE_DELAY=-1";
    RecoveryRecipe r = RecoveryRecipe.of(url, "sa", "", "org.h2.jdbcx.JdbcDataSource");
    assertEquals(url + ";xaDataSourceClass=org.h2.jdbcx.JdbcDataSource", r.url());
    try (XatmDataSource pool =
        XatmDataSource.builder()
            .url(url)
            .user("sa")
            .password("")
            .xaDataSourceClass("org.h2.jdbcx.JdbcDataSource")
            .transactionManager(new FakeTransactionManager())
            .build()) {
      ResourceDescriptor d = pool.descriptor();
      assertEquals(r.descriptor(), d);
    }
  }

  @Test
  void aConfiguredPgXaDataSourceGivesItsUrlWithoutDefaultsAndItsCredentials() throws Exception {
    org.postgresql.xa.PGXADataSource pg = new org.postgresql.xa.PGXADataSource();
    pg.setUrl("jdbc:postgresql://db1:5432/bank?connectTimeout=3");
    pg.setUser("app");
    pg.setPassword("s3cret");
    RecoveryRecipe r = RecoveryRecipe.of(pg, null);
    assertEquals("jdbc:xa:postgresql://db1:5432/bank?connectTimeout=3", r.url());
    assertEquals("app", r.user());
    assertEquals("s3cret", r.password());
    assertTrue(r.passwordKnown());
    // The pool on the instance describes the same resource, and adds no class (the default).
    try (XatmDataSource pool =
        XatmDataSource.builder()
            .xaDataSource(pg)
            .url(r.url())
            .user(r.user())
            .password(r.password())
            .transactionManager(new FakeTransactionManager())
            .build()) {
      assertEquals(r.descriptor(), pool.descriptor());
    }
  }

  @Test
  void aConfiguredMariaDbDataSourceHidesItsPasswordSoTheCallerGivesIt() throws Exception {
    org.mariadb.jdbc.MariaDbDataSource m = new org.mariadb.jdbc.MariaDbDataSource();
    m.setUrl("jdbc:mariadb://db2:3306/ledger");
    m.setUser("root");
    m.setPassword("s3cret");
    RecoveryRecipe unknown = RecoveryRecipe.of(m, null);
    assertFalse(unknown.passwordKnown());
    assertNull(unknown.password(), "not the *** of its getUrl()");
    assertEquals("root", unknown.user());
    assertFalse(unknown.url().contains("password"), unknown.url());
    RecoveryRecipe given = RecoveryRecipe.of(m, "s3cret");
    assertTrue(given.passwordKnown());
    assertEquals("s3cret", given.password());
    assertEquals("root@" + given.url(), given.descriptor().resourceId());
  }

  @Test
  void anXaDataSourceWhoseUrlXatmCannotReadIsRefusedNamingItsClass() {
    org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
    h2.setURL("jdbc:h2:mem:x");
    SQLException e = assertThrows(SQLException.class, () -> RecoveryRecipe.of(h2, ""));
    assertTrue(e.getMessage().contains("org.h2.jdbcx.JdbcDataSource"), e.getMessage());
    assertTrue(e.getMessage().contains("xaDataSourceClass="), e.getMessage());
  }

  @Test
  void aPoolOnAConfiguredInstanceOfANonDefaultClassNamesItForRecovery() throws Exception {
    org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
    h2.setURL("jdbc:h2:mem:recipe_wrapped;DB_CLOSE_DELAY=-1");
    h2.setUser("sa");
    try (XatmDataSource pool =
        XatmDataSource.builder()
            .xaDataSource(new Delegating(h2))
            .url("jdbc:xa:h2:mem:recipe_wrapped;DB_CLOSE_DELAY=-1")
            .user("sa")
            .password("")
            .transactionManager(new FakeTransactionManager())
            .build()) {
      assertEquals(
          "jdbc:xa:h2:mem:recipe_wrapped;DB_CLOSE_DELAY=-1;xaDataSourceClass="
              + Delegating.class.getName(),
          pool.descriptor().url());
      try (var c = pool.getConnection()) {
        assertTrue(c.isValid(1), "connections come from the configured instance");
      }
    }
  }

  /** An XADataSource class that is not the default of jdbc:xa:h2 (H2's own is final). */
  public static final class Delegating implements javax.sql.XADataSource {
    private final javax.sql.XADataSource target;

    Delegating(javax.sql.XADataSource target) {
      this.target = target;
    }

    @Override
    public javax.sql.XAConnection getXAConnection() throws SQLException {
      return target.getXAConnection();
    }

    @Override
    public javax.sql.XAConnection getXAConnection(String user, String password)
        throws SQLException {
      return target.getXAConnection(user, password);
    }

    @Override
    public java.io.PrintWriter getLogWriter() throws SQLException {
      return target.getLogWriter();
    }

    @Override
    public void setLogWriter(java.io.PrintWriter out) throws SQLException {
      target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return target.getLoginTimeout();
    }

    @Override
    public java.util.logging.Logger getParentLogger() {
      return java.util.logging.Logger.getLogger("test");
    }
  }

  @Test
  void aMalformedUrlFailsWithoutShowingThePassword() {
    SQLException e =
        assertThrows(
            SQLException.class,
            () -> RecoveryRecipe.of("jdbc:xa:postgresql://app:s3%zzcret@h/db", null, null, null));
    assertEquals("08001", e.getSQLState());
    assertFalse(e.getMessage().contains("s3"), e.getMessage());
    assertTrue(e.getMessage().contains("***"), e.getMessage());
  }
}
