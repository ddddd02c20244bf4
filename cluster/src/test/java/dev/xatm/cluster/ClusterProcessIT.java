package dev.xatm.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.testkit.SharedDatabases;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes on one lease table (docs/cluster.md, "What it guarantees"): a killed holder's
 * restart waits for its own lease; a holder paused past its lease finds, when it runs again, that
 * it may not decide, while the process that took the node id meanwhile decides.
 */
class ClusterProcessIT {
  @TempDir Path dir;

  @BeforeAll
  static void database() throws Exception {
    SharedDatabases.recreatePostgresDatabase(LeaseIT.DB);
  }

  private static String url() {
    return SharedDatabases.postgresUrl(LeaseIT.DB);
  }

  /** A child TM process and its pipes. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final BufferedReader out;
    final Writer in;

    Child(Path logDir, String node) throws IOException {
      process =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-cp",
                      System.getProperty("java.class.path"),
                      ClusterChild.class.getName(),
                      logDir.toString(),
                      node,
                      url()))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    }

    String line() throws IOException {
      String l = out.readLine();
      if (l == null) {
        throw new IOException("the child ended");
      }
      return l;
    }

    String transfer() throws IOException {
      in.write("transfer\n");
      in.flush();
      return line();
    }

    void signal(String sig) throws Exception {
      Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).start();
      assertEquals(0, kill.waitFor(), "kill -" + sig);
    }

    @Override
    public void close() throws Exception {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aKilledHolderRestartedOnItsLogWaitsForItsOwnLeaseThenRuns() throws Exception {
    String node = "p-" + UUID.randomUUID().toString().substring(0, 8);
    Path log = dir.resolve("log");
    try (Child a = new Child(log, node)) {
      assertEquals("READY", a.line());
      assertTrue(a.transfer().startsWith("COMMITTED"));
      a.signal("KILL");
      a.process.waitFor(10, TimeUnit.SECONDS);
    }
    long started = System.nanoTime();
    try (ClusterTm b = ClusterTm.start(log, node, url())) {
      long waitedMs = (System.nanoTime() - started) / 1_000_000;
      assertTrue(waitedMs >= 1_000, "waited for the dead run's lease: " + waitedMs + " ms");
      assertTrue(waitedMs < 3_000 + 500 + 2_000, "no longer than the lease: " + waitedMs + " ms");
      assertNull(b.transfer());
    }
  }

  @Test
  void aHolderPausedPastItsLeaseMakesNoDecisionWhenItRunsAgain() throws Exception {
    String node = "p-" + UUID.randomUUID().toString().substring(0, 8);
    try (Child a = new Child(dir.resolve("a"), node)) {
      assertEquals("READY", a.line());
      assertTrue(a.transfer().startsWith("COMMITTED commits=2"));
      a.signal("STOP"); // a GC pause, a frozen VM: no renewal, no clock of its own stops
      Thread.sleep(3_000 + 1_000);
      try (ClusterTm b = ClusterTm.start(dir.resolve("b"), node, url())) {
        assertNull(b.transfer(), "the new holder decides");
        a.signal("CONT");
        String answer = a.transfer();
        assertTrue(answer.startsWith("NOT "), "the paused holder decided: " + answer);
        assertTrue(answer.endsWith("commits=2"), "and sent no commit: " + answer);
        assertNull(b.transfer(), "the new holder still decides");
        Thread.sleep(1_500); // a's renewal finds the row taken: it stops for good
        String later = a.transfer();
        assertTrue(later.contains("no longer this process's"), later);
      }
    }
  }
}
