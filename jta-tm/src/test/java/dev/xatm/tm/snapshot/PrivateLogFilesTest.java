package dev.xatm.tm.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
import dev.xatm.tm.testing.LogCapture;
import dev.xatm.tm.testing.ManualClock;
import dev.xatm.tm.testing.ManualScheduler;
import dev.xatm.wal.storage.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything xatm writes is owner-only (directories 0700, files 0600) whatever the umask. The JVM's
 * umask cannot be changed from a test; the surefire JVM runs under the machine's (typically 022,
 * which gave 755/644 before), so the test asserts the exact resulting modes of every file and
 * directory of a log with several segments, checkpoints, an archive and an online backup.
 */
class PrivateLogFilesTest {
  private static final long SEGMENT = 64 * 1024;
  @TempDir Path dir;
  private final Journal journal = new Journal();
  private final FakeXAResource a = new FakeXAResource("a", journal);
  private final FakeXAResource b = new FakeXAResource("b", journal);

  @BeforeEach
  void posixOnly() {
    assumeTrue(PrivateFiles.posix(dir), "POSIX permissions are not available here");
  }

  @Test
  void everyDirectoryAndFileOfLogArchiveAndBackupIsOwnerOnly() throws Exception {
    // Nested, so createDirectories makes parents too; the temp dir itself is JUnit's.
    Path logDir = dir.resolve("var/xatm/log");
    Path archive = dir.resolve("archive/node-p");
    Path backup = dir.resolve("backups/node-p");
    XatmConfig config =
        XatmConfig.builder()
            .nodeId("node-p")
            .logDir(logDir)
            .segmentSize(SEGMENT)
            .checkpointInterval(Duration.ZERO)
            .checkpointBytes(0)
            .checkpointOnRotation(true)
            .archiveDir(archive)
            .logMaxSize(0)
            .installAsDefault(false)
            .build();
    ManualClock clock = new ManualClock(1_000_000L);
    ManualScheduler scheduler = new ManualScheduler(clock);
    try (XatmTransactionManager tm =
        XatmTransactionManager.builder(config).clock(clock).scheduler(scheduler).start()) {
      for (int i = 0; i < 1500; i++) {
        tm.begin();
        tm.getTransaction().enlistResource(a);
        tm.getTransaction().enlistResource(b);
        tm.commit();
        if (i % 50 == 0) {
          scheduler.advanceAndRun(Duration.ofSeconds(1));
        }
      }
      tm.logLifecycle().orElseThrow().checkpointNow();
      tm.backup(backup);

      long segments = count(logDir, ".wal");
      assertTrue(segments >= 2, "several segments: " + segments);
      assertTrue(count(logDir, ".ckpt") >= 1, "a checkpoint");
      assertTrue(count(archive, ".wal") >= 1, "an archived segment");
      assertTrue(count(backup, ".wal") >= 1, "a backed-up segment");
      assertTrue(Files.exists(logDir.resolve("wal.lock")), "the lock file");
      assertTrue(Files.exists(logDir.resolve("wal.head")), "the head file");

      List<String> open = new ArrayList<>();
      for (Path root :
          List.of(dir.resolve("var"), dir.resolve("archive"), dir.resolve("backups"))) {
        collectOpen(root, open);
      }
      assertEquals(List.of(), open, "files or directories readable by others");
    }
  }

  @Test
  void anExistingDirectoryOpenToOthersIsReportedOnceAndStillUsed() throws Exception {
    Path logDir = Files.createDirectory(dir.resolve("shared-log"));
    Files.setPosixFilePermissions(logDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    XatmConfig config =
        XatmConfig.builder()
            .nodeId("node-w")
            .logDir(logDir)
            .segmentSize(SEGMENT)
            .installAsDefault(false)
            .build();
    List<String> warnings;
    try (LogCapture capture = LogCapture.of("dev.xatm.wal");
        XatmTransactionManager tm =
            XatmTransactionManager.builder(config)
                .clock(new ManualClock(1_000_000L))
                .scheduler(new ManualScheduler(new ManualClock(1_000_000L)))
                .start()) {
      warnings = capture.warnings().stream().filter(m -> m.contains("other users")).toList();
      tm.begin();
      tm.commit();
    }
    assertEquals(1, warnings.size(), "one warning: " + warnings);
    String w = warnings.get(0);
    assertTrue(w.contains(logDir.toString()), w);
    assertTrue(w.contains("0755"), w);
    assertTrue(w.contains("chmod 700 " + logDir), w);
    // Not changed behind the operator's back, and the files inside are still private.
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(logDir)));
    try (Stream<Path> s = Files.list(logDir)) {
      for (Path p : s.toList()) {
        assertEquals(
            "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), "" + p);
      }
    }

    // Fixed as the warning says: no warning at the next start.
    Files.setPosixFilePermissions(logDir, PrivateFiles.DIRECTORY);
    try (LogCapture capture = LogCapture.of("dev.xatm.wal");
        XatmTransactionManager tm =
            XatmTransactionManager.builder(config)
                .clock(new ManualClock(2_000_000L))
                .scheduler(new ManualScheduler(new ManualClock(2_000_000L)))
                .start()) {
      assertEquals(
          List.of(), capture.warnings().stream().filter(m -> m.contains("other users")).toList());
    }
  }

  private static long count(Path d, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
    }
  }

  private static void collectOpen(Path root, List<String> out) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        String want = Files.isDirectory(p) ? "rwx------" : "rw-------";
        if (!mode.equals(want)) {
          out.add(p + " " + mode);
        }
      }
    }
  }
}
