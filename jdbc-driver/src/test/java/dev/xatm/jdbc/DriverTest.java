package dev.xatm.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.testing.FakeTransactionManager;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.spi.ResourceUnavailableException;
import dev.xatm.tm.spi.XatmRuntime;
import dev.xatm.tm.spi.XatmRuntimes;
import jakarta.transaction.TransactionManager;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.transaction.xa.XAResource;
import org.junit.jupiter.api.Test;

/**
 * The {@code java.sql.Driver} path. It uses the JVM-wide runtime hook, so each test installs and
 * removes its own runtime.
 */
class DriverTest {

  private static final class RecordingRuntime implements XatmRuntime {
    final FakeTransactionManager tm = new FakeTransactionManager();
    final List<String> offers = new CopyOnWriteArrayList<>();

    @Override
    public TransactionManager transactionManager() {
      return tm;
    }

    @Override
    public void offerCredentials(ResourceDescriptor resource, String password) {
      offers.add(resource.resourceId() + " -> " + password);
    }
  }

  @Test
  void serviceLoaderFindsTheDriverAndTheRecoveryConnector() {
    assertTrue(ServiceLoader.load(Driver.class).stream().anyMatch(p -> p.type() == XaDriver.class));
    assertTrue(
        ServiceLoader.load(RecoveryConnector.class).stream()
            .anyMatch(p -> p.type() == XatmRecoveryConnector.class));
  }

  @Test
  void acceptsOnlyXaUrls() throws SQLException {
    XaDriver d = XaDriver.instance();
    assertTrue(d.acceptsURL("jdbc:xa:postgresql://h/db"));
    assertFalse(d.acceptsURL("jdbc:postgresql://h/db"));
    assertNull(d.connect("jdbc:h2:mem:x", new Properties()));
    assertInstanceOf(XaDriver.class, DriverManager.getDriver("jdbc:xa:h2:mem:x"));
  }

  @Test
  void driverManagerConnectionsEnlistInTheDefaultRuntimeAndPoolPerUser() throws Exception {
    H2Fixture db = new H2Fixture();
    db.exec("create user bob password 'pw2' admin");
    RecordingRuntime rt = new RecordingRuntime();
    XatmRuntimes.install(rt);
    try {
      rt.tm.begin();
      try (Connection a = DriverManager.getConnection(db.xaUrl, "sa", "");
          Connection b =
              DriverManager.getConnection(db.xaUrl + ";xatm.pool.max-size=3", "sa", "")) {
        H2Fixture.insert(a, 1);
        H2Fixture.insert(b, 2);
      }
      assertEquals(1, rt.tm.getTransaction().resources().size(), "same URL + user: one branch");
      rt.tm.commit();
      assertEquals(2, db.count());

      try (Connection c = DriverManager.getConnection(db.xaUrl, "bob", "pw2")) {
        H2Fixture.insert(c, 3); // no transaction: autocommit
      }
      assertEquals(3, db.count());

      Properties sa = new Properties();
      sa.setProperty("user", "sa");
      sa.setProperty("password", "");
      Properties bob = new Properties();
      bob.setProperty("user", "bob");
      bob.setProperty("password", "pw2");
      assertEquals(1, XaDriver.instance().poolStats(db.xaUrl, sa).created());
      assertEquals(1, XaDriver.instance().poolStats(db.xaUrl, bob).created());
      assertEquals(
          1, rt.offers.size(), "credentials offered once, at the first enlistment: " + rt.offers);
      assertTrue(rt.offers.get(0).startsWith("sa@jdbc:xa:h2:mem:" + db.name), rt.offers.get(0));
    } finally {
      XatmRuntimes.uninstall(rt);
    }
  }

  private static long housekeepers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("xatm-pool-housekeeper"))
        .count();
  }

  @Test
  void failedAttemptsLeaveNoPoolAndNoHousekeeperBehind() throws Exception {
    H2Fixture db = new H2Fixture();
    int poolsBefore = XaDriver.instance().poolCount();
    long threadsBefore = housekeepers();
    for (int i = 0; i < 3; i++) { // H2 delays each wrong password (250 ms, doubling)
      String wrong = "wrong-password-" + i;
      SQLException e =
          assertThrows(
              SQLException.class, () -> DriverManager.getConnection(db.xaUrl, "sa", wrong));
      assertFalse(e.getMessage().contains(wrong), e.getMessage());
    }
    for (int i = 0; i < 20; i++) {
      // A URL the vendor refuses leaves nothing behind either.
      String bad = db.xaUrl + ";NO_SUCH_SETTING_" + i + "=1";
      assertThrows(SQLException.class, () -> DriverManager.getConnection(bad, "sa", ""));
    }
    assertEquals(poolsBefore, XaDriver.instance().poolCount(), "no pool per failed attempt");
    assertEquals(threadsBefore, housekeepers(), "no housekeeper thread per failed attempt");
    try (Connection c = DriverManager.getConnection(db.xaUrl, "sa", "")) {
      H2Fixture.insert(c, 1);
    }
    assertEquals(poolsBefore + 1, XaDriver.instance().poolCount());
    assertEquals(threadsBefore + 1, housekeepers(), "the pool that connected has its housekeeper");
  }

  @Test
  void aFirstConnectionThatFailsInsideATransactionLeavesNoPoolEither() throws Exception {
    H2Fixture db = new H2Fixture();
    RecordingRuntime rt = new RecordingRuntime();
    XatmRuntimes.install(rt);
    try {
      int pools = XaDriver.instance().poolCount();
      rt.tm.begin();
      // Inside a transaction the connection binds at first use, so that is where it fails.
      Connection c = DriverManager.getConnection(db.xaUrl + ";NO_SUCH_SETTING_TX=1", "sa", "");
      assertThrows(SQLException.class, c::createStatement);
      c.close();
      rt.tm.rollback();
      assertEquals(pools, XaDriver.instance().poolCount(), "the failed pool is gone");
      assertTrue(rt.offers.isEmpty(), "nothing was enlisted: " + rt.offers);
    } finally {
      XatmRuntimes.uninstall(rt);
    }
  }

  @Test
  void aFailingUrlDoesNotPoisonTheCorrectOneForTheSameDatabase() throws Exception {
    H2Fixture db = new H2Fixture();
    // MY_TOKEN looks like a secret, so it is not part of the resource id; H2 refuses the setting.
    SQLException bad =
        assertThrows(
            SQLException.class,
            () -> DriverManager.getConnection(db.xaUrl + ";MY_TOKEN=t0ken-value", "sa", ""));
    assertFalse(bad.getMessage().contains("t0ken-value"), bad.getMessage());
    try (Connection c = DriverManager.getConnection(db.xaUrl, "sa", "")) {
      H2Fixture.insert(c, 1);
    }
    assertEquals(1, db.count());
  }

  @Test
  void aPoolThatConnectedOnceSurvivesALaterFailure() throws Exception {
    H2Fixture db = new H2Fixture();
    String url = db.xaUrl + ";xatm.pool.max-size=1;xatm.pool.acquire-timeout=20ms";
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      H2Fixture.insert(c, 1);
      // The pool is full: a second connection times out; the pool stays (it has connected).
      assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "sa", ""));
    }
    Properties sa = new Properties();
    sa.setProperty("user", "sa");
    sa.setProperty("password", "");
    assertEquals(1, XaDriver.instance().poolStats(db.xaUrl, sa).created());
  }

  @Test
  void withoutARuntimeConnectionsArePlain() throws Exception {
    H2Fixture db = new H2Fixture();
    try (Connection c = DriverManager.getConnection(db.xaUrl + ";USER=sa")) {
      assertTrue(c.getAutoCommit());
      H2Fixture.insert(c, 1);
    }
    assertEquals(1, db.count());
  }

  @Test
  void recoveryConnectorOpensFromTheRecipe() throws Exception {
    H2Fixture db = new H2Fixture();
    XatmRecoveryConnector rc = new XatmRecoveryConnector();
    ResourceDescriptor d = new ResourceDescriptor("sa@" + db.xaUrl, db.xaUrl, "sa");
    try (RecoverySession s = rc.open(d, "")) {
      assertEquals(
          0, s.xaResource().recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN).length);
    }
    ResourceUnavailableException e =
        assertThrows(
            ResourceUnavailableException.class,
            () -> rc.open(new ResourceDescriptor("x", "jdbc:xa:nosuchdb://h/x", "u"), "s3cret"));
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    assertTrue(e.getMessage().contains("08001"), e.getMessage());
  }
}
