package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xatm log verify} on logs of crashed child JVMs, intact, damaged and still locked. */
class LogVerifyTest {
  @TempDir Path tmp;

  @Test
  void aLogHaltedMidTwoPhaseCommitVerifiesAndTheStaleLockIsNamed() throws Exception {
    Path log = tmp.resolve("log");
    CrashLogs.halt(log, Failpoint.AFTER_COMMITTING_DURABLE, 3);

    Cli.Result text = Cli.runReadOnly(log, "log", "verify", log.toString());
    assertEquals(ExitCodes.OK, text.code(), text.toString());
    assertTrue(text.out().contains("result     OK"), text.out());
    assertTrue(text.out().contains("node id    " + CrashLogs.NODE), text.out());
    assertTrue(text.out().matches("(?s).*lock\\s+free \\(left by pid=\\d+ host=.*"), text.out());

    Cli.Result json = Cli.runReadOnly(log, "log", "verify", "--json", log.toString());
    assertEquals(ExitCodes.OK, json.code(), json.toString());
    Map<String, Object> m = MiniJson.object(json.out());
    assertEquals(true, m.get("ok"));
    assertEquals(CrashLogs.NODE, m.get("nodeId"));
    assertEquals(List.of(), m.get("damage"));
    assertTrue((Long) m.get("lastLsn") >= 10, m.toString());
    @SuppressWarnings("unchecked")
    Map<String, Object> lock = (Map<String, Object>) m.get("lock");
    assertEquals("FREE", lock.get("state"));
  }

  @Test
  void aDamagedCopyFailsWithTheExactPlace() throws Exception {
    Path log = tmp.resolve("log");
    CrashLogs.halt(log, Failpoint.AFTER_COMMITTING_DURABLE, 3);
    Path copy = CrashLogs.copy(log, tmp.resolve("copy"));
    long offset = CrashLogs.damageRecord(CrashLogs.segment(copy, 1), 4);

    Cli.Result text = Cli.runReadOnly(copy, "log", "verify", copy.toString());
    assertEquals(ExitCodes.DAMAGED, text.code(), text.toString());
    assertTrue(text.out().contains("DAMAGED"), text.out());
    assertTrue(text.out().contains("damage (1):"), text.out());
    // The scan names the segment and the offset of the record that holds the flipped byte.
    assertTrue(text.out().contains("segment 1 ("), text.out());

    Cli.Result json = Cli.runReadOnly(copy, "log", "verify", "--json", copy.toString());
    assertEquals(ExitCodes.DAMAGED, json.code());
    Map<String, Object> m = MiniJson.object(json.out());
    assertEquals(false, m.get("ok"));
    List<?> damage = (List<?>) m.get("damage");
    assertEquals(1, damage.size(), m.toString());
    String place = (String) damage.get(0);
    long at = Long.parseLong(place.replaceAll("(?s).*\\) offset (\\d+):.*", "$1"));
    assertTrue(
        at <= offset && offset - at < 200, "damage at " + at + ", byte flipped at " + offset);
    assertTrue(((String) m.get("refusal")).contains("segment 1"), m.toString());

    // The original is intact.
    assertEquals(ExitCodes.OK, Cli.runReadOnly(log, "log", "verify", log.toString()).code());
  }

  @Test
  void aLogHeldByALiveProcessIsRefusedWithItsPidThenReadAfterItsDeath() throws Exception {
    Path log = tmp.resolve("live");
    try (CrashLogs.Running child = new CrashLogs.Running(log)) {
      child.awaitDecided(3);
      Cli.Result r = Cli.run("log", "verify", log.toString());
      assertEquals(ExitCodes.LOCKED, r.code(), r.toString());
      assertTrue(r.err().contains("pid=" + child.pid() + " host="), r.err());
      assertTrue(r.err().contains("node=" + CrashLogs.NODE), r.err());
      assertTrue(r.err().contains("online mode"), r.err());

      Cli.Result json = Cli.run("log", "stat", "--json", log.toString());
      assertEquals(ExitCodes.LOCKED, json.code(), json.toString());
      Map<String, Object> m = MiniJson.object(json.out());
      assertEquals(3L, m.get("exitCode"));
      @SuppressWarnings("unchecked")
      Map<String, Object> holder = (Map<String, Object>) m.get("holder");
      assertEquals(Long.toString(child.pid()), holder.get("pid"));
      for (String[] cmd :
          new String[][] {
            {"log", "dump", log.toString()},
            {"backup", log.toString(), tmp.resolve("b").toString()}
          }) {
        assertEquals(ExitCodes.LOCKED, Cli.run(cmd).code(), String.join(" ", cmd));
      }
      assertFalse(Files.exists(tmp.resolve("b")), "a refused backup creates nothing");
      child.kill();
    }
    // SIGKILL released the OS lock: the text left in wal.lock no longer counts.
    Cli.Result after = Cli.runReadOnly(log, "log", "verify", log.toString());
    assertEquals(ExitCodes.OK, after.code(), after.toString());
    assertTrue(after.out().contains("which is no longer running"), after.out());
  }

  @Test
  void damageTheScanCannotGoPastIsReportedAsIs() throws Exception {
    Path log = tmp.resolve("log");
    CrashLogs.halt(log, Failpoint.AFTER_COMMITTING_DURABLE, 3);
    Path copy = CrashLogs.copy(log, tmp.resolve("copy"));
    Files.createDirectory(CrashLogs.segment(copy, 99)); // a directory named like a segment
    Cli.Result json = Cli.runReadOnly(copy, "log", "verify", "--json", copy.toString());
    assertEquals(ExitCodes.DAMAGED, json.code(), json.toString());
    Map<String, Object> m = MiniJson.object(json.out());
    String only = (String) ((List<?>) m.get("damage")).get(0);
    assertTrue(only.contains("is a directory but named like a segment"), only);
  }

  @Test
  void pathsThatAreNoLogAreUsageErrors() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Cli.Result r = Cli.runReadOnly(empty, "log", "verify", empty.toString());
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains("holds no log segment"), r.err());
    Cli.Result missing = Cli.run("log", "verify", tmp.resolve("missing").toString());
    assertEquals(ExitCodes.USAGE, missing.code());
    assertTrue(missing.err().contains("does not exist"), missing.err());
    assertEquals(ExitCodes.USAGE, Cli.run("log", "verify").code(), "DIR is required");
    assertEquals(ExitCodes.USAGE, Cli.run("log", "frobnicate", "x").code());
    assertEquals(ExitCodes.USAGE, Cli.run("backup", empty.toString()).code(), "DEST is required");
    assertEquals(ExitCodes.USAGE, Cli.run().code(), "a command is required");
    assertFalse(Files.exists(tmp.resolve("missing")), "nothing is created");
  }
}
