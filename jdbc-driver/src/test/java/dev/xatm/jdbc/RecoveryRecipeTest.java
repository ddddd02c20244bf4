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
