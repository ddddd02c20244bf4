package dev.xatm.it.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;


import dev.xatm.spring.boot.XatmStartupRecovery;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * kill -9 of a Boot application between the commit decision and the commits, then a restart with
 * the same properties, which are only what a user writes (two DataSources, log directory, node id;
 * no recovery resource): the restart's startup recovery pass commits both prepared branches before
 * the context is up, so the transfer happened exactly once.
 */
class BootCrashRestartIT {
  @TempDir Path logDir;

  @Test
  void restartAfterKillBetweenDecisionAndCommitsFinishesTheTransfer() throws Exception {
    BankRig rig = new BankRig("crash", logDir, List.of("crash"));
    rig.createDatabases();

    List<String> cmd = new ArrayList<>();
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(
        List.of(
            "-Xmx256m",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-D" + Servers.PG_PROPERTY + "=" + Servers.pgHostPort(),
            "-cp",
            System.getProperty("java.class.path"),
            CrashingTransfer.class.getName()));
    cmd.addAll(List.of(BankRig.asArgs(rig.properties())));
    Path out = Path.of("target", "crash-child-" + rig.node() + ".log").toAbsolutePath();
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    child.getOutputStream().close();
    CompletableFuture<String> decided = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter log = new PrintWriter(Files.newBufferedWriter(out))) {
                String line;
                while ((line = r.readLine()) != null) {
                  log.println(line);
                  if (line.startsWith(CrashingTransfer.DECIDED)) {
                    decided.complete(line.substring(CrashingTransfer.DECIDED.length()));
                  }
                }
              } catch (Exception e) {
                decided.completeExceptionally(e);
              } finally {
                decided.completeExceptionally(new AssertionError("child exited; see " + out));
              }
            },
            "crash-child-stdout");
    reader.setDaemon(true);
    reader.start();
    String gtrid;
    try {
      gtrid = decided.get(120, TimeUnit.SECONDS);
    } finally {
      child.destroyForcibly(); // SIGKILL
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
    }
    assertNotNull(gtrid);
    assertEquals(137, child.exitValue(), "killed by SIGKILL");

    // Between the decision and the commits: both branches are prepared, nothing is visible.
    assertFalse(Servers.pgPrepared(rig.db()).isEmpty(), "the PostgreSQL branch is prepared");
    assertFalse(Servers.mariaPrepared(rig.node()).isEmpty(), "the MariaDB branch is prepared");
    assertArrayEquals(
        new long[] {BankRig.OPENING_CHECKING, BankRig.OPENING_SAVINGS}, rig.balances("crash"));

    try (ConfigurableApplicationContext ctx = rig.start(Map.of())) {
      RecoveryReport report = ctx.getBean(XatmStartupRecovery.class).report();
      assertNotNull(report, "the startup pass ran before the context was up");
      assertEquals(0, report.count(RecoveryResult.UNREACHABLE), report::toString);
      assertFalse(report.unresolved(), report::toString);
      assertTrue(report.toString().contains(gtrid), report::toString);
      assertArrayEquals(
          new long[] {BankRig.OPENING_CHECKING - 100, BankRig.OPENING_SAVINGS + 100},
          rig.balances("crash"),
          "the decided transfer happened, once");
      assertEquals(List.of(), rig.preparedLeft());
      assertEquals("UP", Health.read(ctx).status());
    }
  }
}
