package dev.xatm.it.jta;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmTransactionManager;
import jakarta.transaction.Synchronization;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection first used inside an interposed {@code beforeCompletion}: what Spring's and
 * Hibernate's JTA synchronizations do when they flush at commit (both register as interposed). The
 * driver must still enlist the branch and commit it; the TSR Javadoc lets nothing register a
 * regular synchronization at that point, so the driver's own synchronization must be interposed.
 */
class FirstUseInBeforeCompletionIT {
  @TempDir static Path dir;
  private static XatmTransactionManager tm;
  private final String table = "f" + Long.toHexString(System.nanoTime());

  @BeforeAll
  static void start() throws Exception {
    tm = Db.prepare(dir, "first-use-it", Duration.ofMillis(200));
  }

  @AfterAll
  static void stop() throws Exception {
    tm.close();
  }

  @ParameterizedTest
  @EnumSource(Db.class)
  void aFlushInAnInterposedBeforeCompletionEnlistsAndCommits(Db db) throws Exception {
    db.resetTable(table, 2);
    try (XatmDataSource ds = db.pool(tm, 4);
        XatmDataSource other = (db == Db.POSTGRESQL ? Db.MARIADB : Db.POSTGRESQL).pool(tm, 4)) {
      (db == Db.POSTGRESQL ? Db.MARIADB : Db.POSTGRESQL).resetTable(table, 2);
      tm.begin();
      try (Connection c = other.getConnection()) {
        Db.set(c, table, 1, 1); // a second branch, so the commit is two-phase
      }
      tm.registerInterposedSynchronization(
          new Synchronization() {
            @Override
            public void beforeCompletion() {
              try (Connection c = ds.getConnection()) { // first use of this database
                Db.set(c, table, 2, 2);
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            }

            @Override
            public void afterCompletion(int status) {}
          });
      tm.commit();
      assertEquals(List.of(0, 2), db.values(table));
      assertEquals(0, ds.stats().active(), ds.stats().toString());
    }
  }
}
