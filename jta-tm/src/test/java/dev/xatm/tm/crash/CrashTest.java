package dev.xatm.tm.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crashes a child JVM at every protocol point of the third of five two-phase transactions (and once
 * by SIGKILL at an arbitrary moment), reopens its log, and checks that the decided-but- unfinished
 * set is exactly what DESIGN §2 requires: I2 (no durable Committing, not decided) and I3 (durable
 * Committing, decided until End). End is unforced, so the previous transaction's End may or may not
 * have survived a crash before the next forced record; the expectations say so.
 */
class CrashTest {
  private static final int K = 3; // the transaction that crashes

  @TempDir Path dir;

  private Process child(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xshare:auto");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add(CrashChild.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static Gtrid parse(String s) {
    return Gtrid.parse(s).orElseThrow(() -> new IllegalArgumentException("not a gtrid: " + s));
  }

  private LogState reopen(Path log) throws Exception {
    try (WalTxLog l = new WalTxLog(Wal.open(WalConfig.builder(log).nodeId("crash-node").build()))) {
      return l.replay();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Failpoint.class,
      names = {"BEFORE_ONE_PHASE_COMMIT", "AFTER_MIRROR_DECISION"}, // the latter: cluster only
      mode = EnumSource.Mode.EXCLUDE)
  void haltAtEveryProtocolPoint(Failpoint point) throws Exception {
    boolean branchPoint =
        point == Failpoint.BEFORE_PREPARE
            || point == Failpoint.AFTER_PREPARE
            || point == Failpoint.BEFORE_COMMIT
            || point == Failpoint.AFTER_COMMIT;
    int hit = branchPoint ? 2 * (K - 1) + 1 : K;
    Path log = dir.resolve("log");
    Process p = child("halt", log.toString(), point.name(), Integer.toString(hit));
    List<Gtrid> begun = new ArrayList<>();
    String halted = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("BEGIN ")) {
          begun.add(parse(line.substring(6)));
        } else if (line.startsWith("HALT ")) {
          halted = line;
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child exited");
    assertEquals(CrashChild.HALT_STATUS, p.exitValue(), "child halted at " + point);
    assertEquals(K, begun.size(), "crashed in transaction " + K + ": " + halted);
    Gtrid previous = begun.get(K - 2);
    Gtrid crashed = begun.get(K - 1);

    LogState s = reopen(log);
    Set<Gtrid> decided = s.decided().keySet();
    assertTrue(s.anomalies().isEmpty(), s.anomalies().toString());
    for (int i = 0; i < K - 2; i++) {
      assertFalse(decided.contains(begun.get(i)), "older transactions ended durably");
      assertTrue(s.loggedOutcome(begun.get(i)).isPresent(), "older transactions committed");
    }
    switch (point) {
      case BEFORE_PREPARE, AFTER_PREPARE, BEFORE_COMMITTING_DURABLE -> {
        assertFalse(decided.contains(crashed), "I2: no durable Committing, not decided: " + s);
        assertTrue(s.loggedOutcome(crashed).isEmpty(), "I2: presumed abort");
        Set<Gtrid> allowed = Set.of(previous); // its End rides on a later fsync that never came
        assertTrue(allowed.containsAll(decided), decided.toString());
      }
      case AFTER_COMMITTING_DURABLE, BEFORE_COMMIT, AFTER_COMMIT, BEFORE_END ->
          assertEquals(Set.of(crashed), decided, "I3: exactly the crashed, decided transaction");
      case AFTER_END -> {
        assertTrue(Set.of(crashed).containsAll(decided), decided.toString());
        assertTrue(s.loggedOutcome(crashed).isPresent(), "I3");
      }
      default -> throw new AssertionError(point);
    }
    if (decided.contains(crashed)) {
      assertEquals(2, s.decided().get(crashed).branches().size());
    }
  }

  @Test
  void sigkillAtAnArbitraryMoment() throws Exception {
    Path log = dir.resolve("killed");
    Process p = child("run", log.toString());
    Set<Gtrid> begun = new HashSet<>();
    Set<Gtrid> decidedPrinted = new HashSet<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("BEGIN ")) {
          begun.add(parse(line.substring(6)));
        } else if (line.startsWith("DECIDED ")) {
          decidedPrinted.add(parse(line.substring(8)));
          if (decidedPrinted.size() == 40) {
            // SIGKILL through the handle: Process.destroyForcibly would also close the pipe, and
            // the lines the child wrote before it died must still be read.
            p.toHandle().destroyForcibly();
          }
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertTrue(decidedPrinted.size() >= 40);
    LogState s = reopen(log);
    assertTrue(s.anomalies().isEmpty(), s.anomalies().toString());
    for (Gtrid g : decidedPrinted) {
      assertTrue(s.loggedOutcome(g).isPresent(), "I3: " + g + " was decided durably");
    }
    for (Gtrid g : s.decided().keySet()) {
      assertTrue(begun.contains(g), "I2: " + g + " decided without having been begun");
    }
    assertTrue(s.decided().size() <= 2, "at most the in-flight transaction and one unforced End");
  }

  /**
   * SIGKILL while checkpoints and segment GC are running (64 KiB segments, a checkpoint at every
   * rotation): the kill lands after 2,000-3,500 decided transactions, a dozen rotations in. The log
   * must then start the ordinary way (newest checkpoint + replay over deleted segments) with no
   * anomaly and at most the in-flight transactions decided, and take new transactions.
   */
  @Test
  void sigkillWhileCheckpointsAndGcRun() throws Exception {
    long seed = System.nanoTime();
    System.out.println("checkpoint kill seed " + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 3; round++) {
      Path log = dir.resolve("checkpointed-" + round);
      Path firstSegment = log.resolve(String.format("%020d.wal", 1));
      int margin = random.nextInt(1500);
      Process p = child("run", log.toString());
      Set<Gtrid> begun = new HashSet<>();
      int decided = 0;
      int killAt = Integer.MAX_VALUE; // set once GC has deleted the first segment
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          if (line.startsWith("BEGIN ")) {
            begun.add(parse(line.substring(6)));
          } else if (line.startsWith("DECIDED ")) {
            decided++;
            if (killAt == Integer.MAX_VALUE
                && decided % 100 == 0
                && !java.nio.file.Files.exists(firstSegment)) {
              killAt = decided + margin;
            }
            if ((decided == killAt || decided == 200_000) && p.isAlive()) {
              // SIGKILL (or give up: GC never ran). Reading goes on to the end of the pipe: lines
              // the child wrote before it died (BEGIN of a transaction it then decided) count.
              p.toHandle().destroyForcibly(); // SIGKILL; unlike Process.destroy*, keeps the pipe
            }
          }
        }
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertTrue(
          killAt != Integer.MAX_VALUE,
          "segment GC never ran in " + decided + " transactions (seed " + seed + ")");
      assertTrue(decided >= killAt, "round " + round + " (seed " + seed + "): killed after GC");
      try (var files = java.nio.file.Files.list(log)) {
        List<String> names = files.map(f -> f.getFileName().toString()).sorted().toList();
        assertTrue(
            names.stream().anyMatch(n -> n.startsWith("checkpoint-")),
            "checkpoints on disk at the kill: " + names);
      }
      XatmConfig config =
          XatmConfig.builder()
              .nodeId("crash-node")
              .logDir(log)
              .segmentSize(64 * 1024)
              .installAsDefault(false)
              .jmxEnabled(false)
              .build();
      try (XatmTransactionManager tm = XatmTransactionManager.start(config)) {
        LogState s = tm.startupLogState();
        assertTrue(s.anomalies().isEmpty(), s.anomalies().toString());
        assertTrue(begun.containsAll(s.decided().keySet()), "I2: decided without a begin: " + s);
        assertTrue(
            s.decided().size() <= 2,
            "round " + round + ": only in-flight transactions may be decided: " + s.decided());
        Journal journal = new Journal();
        tm.begin();
        tm.getTransaction().enlistResource(new FakeXAResource("a", journal));
        tm.getTransaction().enlistResource(new FakeXAResource("b", journal));
        tm.commit();
      }
    }
  }
}
