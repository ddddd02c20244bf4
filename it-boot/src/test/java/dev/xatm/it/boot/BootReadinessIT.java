package dev.xatm.it.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.samples.boot.TransferService;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code xatm.spring.startup-recovery=background}: the application starts while the startup
 * recovery pass is still scanning, and the {@code xatm} health indicator (the one a Kubernetes
 * readiness group includes) is OUT_OF_SERVICE until the pass has finished, then UP. The pass is
 * held by a configured recovery resource whose server accepts the connection and never answers.
 * The readiness group of docs/spring-boot.md ({@code readinessState,xatm}) is read through Boot's
 * {@code HealthEndpoint}: OUT_OF_SERVICE, then UP, while liveness stays UP.
 */
class BootReadinessIT {
  @TempDir Path logDir;

  @Test
  void outOfServiceUntilTheStartupRecoveryPassFinishedThenUp() throws Exception {
    BankRig rig = new BankRig("ready", logDir, List.of("ann"));
    rig.createDatabases();
    try (StuckServer stuck = new StuckServer()) {
      String base = "xatm.recovery.resource.stuck.";
      Map<String, String> extra =
          Map.of(
              "xatm.spring.startup-recovery", "background",
              base + "url",
                  "jdbc:xa:postgresql://127.0.0.1:"
                      + stuck.port()
                      + "/stuck?loginTimeout=60&connectTimeout=5&sslmode=disable",
              base + "user", "nobody",
              base + "password", "",
              // The Kubernetes wiring of docs/spring-boot.md, read through Boot's HealthEndpoint.
              "management.endpoint.health.probes.enabled", "true",
              "management.endpoint.health.group.readiness.include", "readinessState,xatm");
      long t0 = System.nanoTime();
      try (ConfigurableApplicationContext ctx = rig.start(extra)) {
        long startedMillis = (System.nanoTime() - t0) / 1_000_000;
        waitFor(() -> stuck.accepted() > 0, "the startup pass to reach the stuck resource");
        Health.Reading before = Health.read(ctx);
        assertEquals("OUT_OF_SERVICE", before.status(), () -> "" + before.details());
        assertEquals("RUNNING", before.details().get("startupRecovery"));
        assertEquals("OUT_OF_SERVICE", Health.group(ctx, "readiness"), "traffic waits");
        assertEquals("UP", Health.group(ctx, "liveness"), "the pod is not restarted for it");

        // The application works meanwhile; only traffic routing waits for readiness.
        ctx.getBean(TransferService.class).moveToSavings("ann", 7);
        assertArrayEquals(
            new long[] {BankRig.OPENING_CHECKING - 7, BankRig.OPENING_SAVINGS + 7},
            rig.balances("ann"));

        stuck.close(); // the recovery connection fails now; the pass ends
        waitFor(() -> "UP".equals(Health.read(ctx).status()), "health UP after the pass");
        Health.Reading after = Health.read(ctx);
        assertEquals("FINISHED", after.details().get("startupRecovery"));
        assertEquals("UP", Health.group(ctx, "readiness"));
        // The stuck resource stays unreachable: the pass reports it unresolved, health stays UP.
        assertEquals(true, after.details().get("lastRecoveryUnresolved"));
        System.out.println("context refreshed in " + startedMillis + " ms with the pass pending");
      }
      assertEquals(List.of(), rig.preparedLeft());
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void waitFor(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!check.ok()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(50);
    }
  }
}
