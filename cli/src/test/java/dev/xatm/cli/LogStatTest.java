package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.snapshot.LogLifecycle;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xatm log stat}: the state a start would rebuild, read-only. */
class LogStatTest {
  @TempDir Path tmp;

  @SuppressWarnings("unchecked")
  static Set<String> decided(Map<String, Object> stat) {
    return ((List<Object>) stat.get("decided"))
        .stream()
            .map(d -> (String) ((Map<String, Object>) d).get("gtrid"))
            .collect(Collectors.toSet());
  }

  /** What the TM's own startup replay rebuilds, on a copy (opening writes to the directory). */
  private static LogState startupReplay(Path copy) throws Exception {
    XatmConfig config =
        XatmConfig.builder()
            .nodeId(CrashLogs.NODE)
            .logDir(copy)
            .segmentSize(64 * 1024)
            .installAsDefault(false)
            .build();
    Wal wal =
        Wal.open(
            WalConfig.builder(copy)
                .nodeId(CrashLogs.NODE)
                .segmentSize(64 * 1024)
                .maxRecordSize(16 * 1024)
                .build());
    try (WalTxLog log = new WalTxLog(wal)) {
      LogLifecycle.prepare(log, config, Clock.systemUTC());
      return log.replay();
    }
  }

  @Test
  void aHaltedLogShowsTheDecidedTransactionItsEpochAndNode() throws Exception {
    Path log = tmp.resolve("log");
    CrashLogs.Halted halted = CrashLogs.halt(log, Failpoint.BEFORE_COMMIT, 5); // 3rd transaction
    Cli.Result json = Cli.runReadOnly(log, "log", "stat", "--json", log.toString());
    assertEquals(ExitCodes.OK, json.code(), json.toString());
    Map<String, Object> m = MiniJson.object(json.out());
    assertEquals(CrashLogs.NODE, m.get("nodeId"));
    assertEquals(1L, m.get("epoch"));
    assertEquals(2L, m.get("resources"));
    assertEquals(Set.of(halted.crashed()), decided(m));
    assertEquals(List.of(), m.get("begunUndecided"));
    assertEquals(1L, m.get("replayFromLsn"));
    assertEquals(1, ((List<?>) m.get("segments")).size());

    Cli.Result text = Cli.runReadOnly(log, "log", "stat", log.toString());
    assertEquals(ExitCodes.OK, text.code());
    assertTrue(text.out().contains("decided, unfinished  1\n"), text.out());
    assertTrue(text.out().contains("epoch                1\n"), text.out());
    assertTrue(text.out().matches("(?s).*\\n  " + halted.crashed() + " +\\d+  a:\\w+,b:\\w+\\n.*"));
  }

  @Test
  void aLogKilledWhileCheckpointsAndGcRunReplaysLikeAStart() throws Exception {
    Path log = tmp.resolve("killed");
    try (CrashLogs.Running child = new CrashLogs.Running(log)) {
      // A checkpoint at each 64 KiB rotation; GC deletes the first segment after a few.
      child.awaitDecided(1); // segment 1 exists from here on, until GC deletes it
      child.awaitDecidedUntil(() -> !Files.exists(CrashLogs.segment(log, 1)));
      child.awaitDecided(child.decidedCount() + 50);
      child.kill();
    }
    Cli.Result json = Cli.runReadOnly(log, "log", "stat", "--json", log.toString());
    assertEquals(ExitCodes.OK, json.code(), json.toString());
    Map<String, Object> m = MiniJson.object(json.out());
    List<?> checkpoints = (List<?>) m.get("checkpoints");
    assertFalse(checkpoints.isEmpty(), m.toString());
    assertNotNull(m.get("replayFromCheckpoint"), "GC deleted the first segments: " + m);
    assertFalse(Files.exists(CrashLogs.segment(log, 1)));

    LogState start = startupReplay(CrashLogs.copy(log, tmp.resolve("copy")));
    assertEquals(
        start.decided().keySet().stream().map(Object::toString).collect(Collectors.toSet()),
        decided(m));
    assertEquals(start.epoch(), m.get("epoch"));
    assertEquals(
        (long) start.begunOnly().size(), (long) ((List<?>) m.get("begunUndecided")).size());

    Cli.Result text = Cli.runReadOnly(log, "log", "stat", log.toString());
    assertTrue(
        text.out().matches("(?s).*replay start\\s+checkpoint at LSN \\d+, then LSN \\d+ onward.*"));
    assertTrue(text.out().contains("valid"), text.out());
  }

  @Test
  void aDamagedLogFailsButStillShowsWhatItCan() throws Exception {
    Path log = tmp.resolve("log");
    CrashLogs.halt(log, Failpoint.AFTER_COMMITTING_DURABLE, 3);
    Path copy = CrashLogs.copy(log, tmp.resolve("copy"));
    CrashLogs.damageRecord(CrashLogs.segment(copy, 1), 4);
    Cli.Result text = Cli.runReadOnly(copy, "log", "stat", copy.toString());
    assertEquals(ExitCodes.DAMAGED, text.code(), text.toString());
    assertTrue(text.out().contains("1 place(s); a start refuses this log"), text.out());
    assertTrue(text.out().contains("node id              " + CrashLogs.NODE), text.out());
  }
}
