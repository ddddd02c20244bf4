package dev.xatm.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.wal.Durability;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatformProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The platform against a real xatm manager with no resource (no database needed). */
class XatmJtaPlatformTest {
  @TempDir Path dir;

  private XatmTransactionManager start(boolean installAsDefault) {
    return XatmTransactionManager.start(
        XatmConfig.builder()
            .nodeId("hib-unit")
            .logDir(dir.resolve("log"))
            .durability(Durability.NO_FSYNC_UNSAFE_FOR_TESTS_ONLY)
            .installAsDefault(installAsDefault)
            .jmxEnabled(false)
            .build());
  }

  @Test
  void hibernateFindsTheProviderThroughServiceLoader() {
    List<JtaPlatformProvider> providers = new ArrayList<>();
    ServiceLoader.load(JtaPlatformProvider.class).forEach(providers::add);
    assertEquals(1, providers.size(), providers.toString());
    assertInstanceOf(XatmJtaPlatform.class, providers.get(0).getProvidedJtaPlatform());
  }

  @Test
  void anExplicitManagerIsUsedForEverything() throws Exception {
    try (XatmTransactionManager tm = start(false)) {
      XatmJtaPlatform platform = new XatmJtaPlatform(tm);
      assertSame(tm, platform.retrieveTransactionManager());
      assertSame(tm, platform.retrieveUserTransaction());
      assertEquals(Status.STATUS_NO_TRANSACTION, platform.getCurrentStatus());
      assertFalse(platform.canRegisterSynchronization());
      tm.begin();
      assertTrue(platform.canRegisterSynchronization());
      assertSame(tm.getTransaction(), platform.getTransactionIdentifier(tm.getTransaction()));
      List<String> calls = new ArrayList<>();
      tm.getTransaction()
          .registerSynchronization(
              new Synchronization() {
                @Override
                public void beforeCompletion() {
                  calls.add("application before");
                }

                @Override
                public void afterCompletion(int status) {}
              });
      platform.registerSynchronization(
          new Synchronization() {
            @Override
            public void beforeCompletion() {
              calls.add("hibernate before");
            }

            @Override
            public void afterCompletion(int status) {
              calls.add("hibernate after " + status);
            }
          });
      // Registered after the session joined, an application's (regular) synchronization still
      // runs before Hibernate's flush: Hibernate's is interposed (JTA 1.2 TSR: interposed
      // beforeCompletion callbacks run after every regular one), as on Jakarta EE servers.
      tm.getTransaction()
          .registerSynchronization(
              new Synchronization() {
                @Override
                public void beforeCompletion() {
                  calls.add("application registered later, before");
                }

                @Override
                public void afterCompletion(int status) {}
              });
      tm.commit();
      assertEquals(
          List.of(
              "application before",
              "application registered later, before",
              "hibernate before",
              "hibernate after " + Status.STATUS_COMMITTED),
          calls);
      tm.begin();
      tm.setRollbackOnly();
      assertFalse(platform.canRegisterSynchronization(), "only while ACTIVE");
      tm.rollback();
    }
  }

  /**
   * The module runs these tests on the Hibernate its pom names ({@code xatm.hibernate.major}: 6
   * here, 7 in hibernate7-test), so a dependency mix-up cannot pass as a run on the other line.
   */
  @Test
  void runsOnTheHibernateLineOfThisModule() {
    String major = System.getProperty("xatm.hibernate.major");
    assertTrue(major != null, "the pom passes xatm.hibernate.major");
    assertTrue(
        org.hibernate.Version.getVersionString().startsWith(major + "."),
        () -> "Hibernate " + org.hibernate.Version.getVersionString() + ", expected " + major);
  }

  @Test
  void theDefaultPlatformFollowsTheJvmDefaultRuntime() throws Exception {
    XatmJtaPlatform platform = new XatmJtaPlatform();
    IllegalStateException none =
        assertThrows(IllegalStateException.class, platform::retrieveTransactionManager);
    assertTrue(none.getMessage().contains("XatmTransactionManager.start"), none.getMessage());
    try (XatmTransactionManager tm = start(true)) {
      assertSame(tm, platform.retrieveTransactionManager(), "looked up at use, not at creation");
    }
    assertThrows(IllegalStateException.class, platform::getCurrentStatus, "gone after close");
  }
}
