package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xatm backup} and {@code xatm backup verify} on crashed logs. */
class BackupCommandTest {
  @TempDir Path tmp;

  @Test
  void aKilledCheckpointedLogIsBackedUpVerifiedAndHoldsTheSameState() throws Exception {
    Path log = tmp.resolve("log");
    try (CrashLogs.Running child = new CrashLogs.Running(log)) {
      child.awaitDecidedUntil(() -> CrashLogs.hasCheckpoint(log));
      child.awaitDecided(child.decidedCount() + 50); // and a few records after it
      child.kill();
    }
    Path dest = tmp.resolve("backup");
    Cli.Result b = Cli.runReadOnly(log, "backup", "--json", log.toString(), dest.toString());
    assertEquals(ExitCodes.OK, b.code(), b.toString());
    Map<String, Object> report = MiniJson.object(b.out());
    assertTrue((Long) report.get("checkpointLsn") > 0, report.toString());
    assertTrue((Long) report.get("linked") + (Long) report.get("copied") >= 2, report.toString());
    // Owner-only whatever the umask (docs/operations.md, "File permissions").
    try (Stream<Path> files = Files.walk(dest)) {
      for (Path p : files.toList()) {
        assertEquals(
            Files.isDirectory(p) ? "rwx------" : "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(p)),
            p.toString());
      }
    }

    Cli.Result v = Cli.runReadOnly(dest, "backup", "verify", dest.toString());
    assertEquals(ExitCodes.OK, v.code(), v.toString());
    assertTrue(v.out().contains(dest + ": verified"), v.out());

    Map<String, Object> source =
        MiniJson.object(Cli.runReadOnly(log, "log", "stat", "--json", log.toString()).out());
    Map<String, Object> copy =
        MiniJson.object(Cli.runReadOnly(dest, "log", "stat", "--json", dest.toString()).out());
    assertEquals(LogStatTest.decided(source), LogStatTest.decided(copy));
    assertEquals(source.get("epoch"), copy.get("epoch"));
    assertEquals(source.get("lastLsn"), copy.get("lastLsn"));

    // Again into the same target: incremental, the sealed segments are kept.
    Cli.Result again = Cli.runReadOnly(log, "backup", "--json", log.toString(), dest.toString());
    assertEquals(ExitCodes.OK, again.code(), again.toString());
    assertTrue((Long) MiniJson.object(again.out()).get("kept") > 0, again.out());
  }

  @Test
  void aDamagedBackupDoesNotVerify() throws Exception {
    Path log = tmp.resolve("log");
    CrashLogs.halt(log, Failpoint.AFTER_PREPARE, 5);
    Path dest = tmp.resolve("backup");
    assertEquals(
        ExitCodes.OK, Cli.runReadOnly(log, "backup", log.toString(), dest.toString()).code());
    CrashLogs.damageRecord(CrashLogs.segment(dest, 1), 3);
    Cli.Result v = Cli.runReadOnly(dest, "backup", "verify", "--json", dest.toString());
    assertEquals(ExitCodes.DAMAGED, v.code(), v.toString());
    assertTrue(v.err().contains("is not a valid log"), v.err());
    assertEquals(false, MiniJson.object(v.out()).get("ok"));

    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertEquals(
        ExitCodes.DAMAGED, Cli.runReadOnly(empty, "backup", "verify", empty.toString()).code());
  }

  @Test
  void aDamagedSourceIsNotBackedUp() throws Exception {
    Path log = tmp.resolve("log");
    CrashLogs.halt(log, Failpoint.AFTER_COMMITTING_DURABLE, 3);
    CrashLogs.damageRecord(CrashLogs.segment(log, 1), 4);
    Path dest = tmp.resolve("backup");
    Cli.Result r = Cli.runReadOnly(log, "backup", log.toString(), dest.toString());
    assertEquals(ExitCodes.DAMAGED, r.code(), r.toString());
    assertTrue(r.err().contains("is damaged and was not backed up"), r.err());
    assertFalse(Files.exists(dest));
  }
}
