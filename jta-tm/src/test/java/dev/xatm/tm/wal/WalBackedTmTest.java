package dev.xatm.tm.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.FakeXAResource.Op;
import dev.xatm.tm.testing.Journal;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalNodeIdMismatchException;
import dev.xatm.wal.WalPoisonedException;
import dev.xatm.wal.storage.FaultyStorage;
import jakarta.transaction.RollbackException;
import jakarta.transaction.SystemException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TM on the real write-ahead log: node id, epochs, replay, fail-stop. */
class WalBackedTmTest {
  @TempDir Path dir;

  private XatmConfig config(String nodeId) {
    return XatmConfig.builder()
        .nodeId(nodeId)
        .logDir(dir.resolve("log"))
        .segmentSize(64 * 1024)
        .installAsDefault(false)
        .build();
  }

  @Test
  void nodeIdIsAdoptedFromTheDirectoryAndEpochsIncrease() throws Exception {
    try (XatmTransactionManager tm = XatmTransactionManager.start(config("node-a"))) {
      assertEquals("node-a", tm.nodeId());
      assertEquals(1, tm.epoch());
    }
    try (XatmTransactionManager tm = XatmTransactionManager.start(config(null))) {
      assertEquals("node-a", tm.nodeId(), "adopted from the log directory");
      assertEquals(2, tm.epoch());
      assertEquals(1, tm.startupLogState().epoch());
    }
    try (XatmTransactionManager tm = XatmTransactionManager.start(config("node-a"))) {
      assertEquals(3, tm.epoch());
    }
  }

  @Test
  void aDifferentConfiguredNodeIdRefusesToStartNamingBoth() throws Exception {
    XatmTransactionManager.start(config("node-a")).close();
    XatmStartupException e =
        assertThrows(
            XatmStartupException.class, () -> XatmTransactionManager.start(config("node-b")));
    assertInstanceOf(WalNodeIdMismatchException.class, e.getCause());
    assertTrue(e.getMessage().contains("node-a"), e.getMessage());
    assertTrue(e.getMessage().contains("node-b"), e.getMessage());
    assertTrue(e.getMessage().contains("xatm.node-id"), e.getMessage());
    // and the directory is usable again afterwards (lock released)
    try (XatmTransactionManager tm = XatmTransactionManager.start(config("node-a"))) {
      assertEquals(2, tm.epoch());
    }
  }

  @Test
  void decidedButUnconfirmedTransactionSurvivesARestart() throws Exception {
    Journal j = new Journal();
    FakeXAResource a = new FakeXAResource("a", j);
    FakeXAResource b = new FakeXAResource("b", j).always(Op.COMMIT, XAException.XAER_RMFAIL);
    Gtrid decided;
    Gtrid finished;
    try (XatmTransactionManager tm = XatmTransactionManager.start(config("node-a"))) {
      tm.begin();
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(b);
      finished = (Gtrid) tm.getTransactionKey();
      b.clear(Op.COMMIT);
      tm.commit();
      b.always(Op.COMMIT, XAException.XAER_RMFAIL);
      tm.begin();
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(b);
      decided = (Gtrid) tm.getTransactionKey();
      tm.commit(); // returns: decided, b retried in the background
      assertEquals(1, tm.pendingRetries());
    }
    try (XatmTransactionManager tm = XatmTransactionManager.start(config("node-a"))) {
      LogState s = tm.startupLogState();
      assertEquals(Set.of(decided), s.decided().keySet());
      assertEquals(2, s.decided().get(decided).branches().size());
      assertEquals("b", s.decided().get(decided).branches().get(1).resourceId());
      // Ended before the closing checkpoint: not carried by it (docs/snapshots.md).
      assertTrue(s.loggedOutcome(finished).isEmpty());
      assertEquals(Set.of("a", "b"), s.resources().keySet());
      assertEquals("fake:b", s.resources().get("b").url());
      assertTrue(s.anomalies().isEmpty(), s.anomalies().toString());
    }
  }

  @Test
  void aPoisonedWalRollsBackAndStopsTheTm() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    WalConfig wc =
        WalConfig.builder(dir.resolve("faulty"))
            .nodeId("node-f")
            .storage(storage)
            // the TM's segment size: its log cap (32 segments of it) is checked at start
            .segmentSize(64 * 1024)
            .maxRecordSize(16 * 1024)
            .build();
    Journal j = new Journal();
    FakeXAResource a = new FakeXAResource("a", j);
    FakeXAResource b = new FakeXAResource("b", j);
    try (XatmTransactionManager tm =
        XatmTransactionManager.builder(config("node-f"))
            .txLog(new WalTxLog(Wal.open(wc)))
            .start()) {
      tm.begin();
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(b);
      tm.commit(); // registers both resources
      storage.setFault(
          (op, path) -> op == FaultyStorage.Op.FORCE ? new IOException("EIO (injected)") : null);
      tm.begin();
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(b);
      RollbackException e = assertThrows(RollbackException.class, tm::commit);
      assertTrue(
          chainContains(e, WalPoisonedException.class) || chainMessage(e).contains("EIO"),
          chainMessage(e));
      assertEquals(1, j.count("a.commit"), "the second transaction sent no commit");
      assertEquals(1, j.count("a.rollback"));
      SystemException refused = assertThrows(SystemException.class, tm::begin);
      assertTrue(refused.getMessage().contains("restart"), refused.getMessage());
    } catch (dev.xatm.tm.log.TxLogException closeOfPoisonedLog) {
      // closing a poisoned WAL may report the poison again; the assertions above ran
    }
  }

  private static boolean chainContains(Throwable t, Class<?> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static String chainMessage(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append(" <- ");
    }
    return sb.toString();
  }

  @Test
  void emptyDirectoryGetsAGeneratedNodeId() throws Exception {
    try (XatmTransactionManager tm = XatmTransactionManager.start(config(null))) {
      assertTrue(!tm.nodeId().isEmpty());
    }
    assertTrue(Files.isDirectory(dir.resolve("log")));
  }

  /**
   * Issue 10: a log that cannot be opened (not writable by this user, a read-only file system, a
   * file system too small for one segment): the top-level message names the root cause and the fix,
   * not only the outer WAL message.
   */
  @Test
  void aLogThatCannotBeOpenedNamesTheRootCauseAndTheFix() throws Exception {
    record Case(IOException fault, String cause, String fix) {}
    List<Case> cases =
        List.of(
            new Case(
                new java.nio.file.AccessDeniedException(dir.resolve("log").toString()),
                "AccessDeniedException",
                "writable by the user"),
            new Case(
                new java.nio.file.FileSystemException(
                    dir.resolve("log").toString(), null, "Read-only file system"),
                "Read-only file system",
                "writable by the user"),
            new Case(new IOException("No space left on device"), "No space left", "free space"));
    for (Case c : cases) {
      FaultyStorage storage = new FaultyStorage();
      storage.setFault(
          (op, path) ->
              op == FaultyStorage.Op.CREATE || op == FaultyStorage.Op.MKDIRS ? c.fault() : null);
      XatmStartupException e =
          assertThrows(
              XatmStartupException.class,
              () -> XatmTransactionManager.builder(config("node-a")).logStorage(storage).start());
      assertTrue(e.getMessage().contains(c.cause()), e.getMessage());
      assertTrue(e.getMessage().contains(c.fix()), e.getMessage());
      assertTrue(e.getMessage().contains(dir.resolve("log").toString()), e.getMessage());
    }
  }

  /**
   * Issue 11 (audit gap 10): a wal.lock that is a directory. The TM's message names the cause and
   * the fix, not "I/O error while opening".
   */
  @Test
  void aLockFileThatIsADirectoryIsNamedWithTheFix() throws Exception {
    Files.createDirectories(dir.resolve("log").resolve("wal.lock"));
    XatmStartupException e =
        assertThrows(
            XatmStartupException.class, () -> XatmTransactionManager.start(config("node-a")));
    assertTrue(e.getMessage().contains("wal.lock is a directory, not a lock file"), e.getMessage());
    assertTrue(e.getMessage().contains("remove it"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("log").toString()), e.getMessage());
  }

  /**
   * Issue 11 (audit gap 10): a format-1 log (its segments do not record the record limit they were
   * written with) opened with a lower xatm.log.segment-size than it was written with. The TM bounds
   * a record to a quarter of a segment, so the message names the segment size that reads the log,
   * with a unit, not the WAL's maxRecordSize (no TM setting); and that size does read it.
   */
  @Test
  void aFormat1LogUnderALowerSegmentSizeNamesTheSegmentSizeThatReadsIt() throws Exception {
    Path log = dir.resolve("log");
    XatmConfig large =
        XatmConfig.builder()
            .nodeId("node-a")
            .logDir(log)
            .segmentSize(1 << 20)
            .checkpointsEnabled(false)
            .installAsDefault(false)
            .build();
    Gtrid decided;
    try (XatmTransactionManager tm = XatmTransactionManager.start(large)) {
      Journal j = new Journal();
      tm.begin();
      for (int i = 0; i < 500; i++) {
        FakeXAResource r = new FakeXAResource(String.format("resource-%03d", i), j);
        if (i == 499) {
          r.always(Op.COMMIT, XAException.XAER_RMFAIL);
        }
        tm.getTransaction().enlistResource(r);
      }
      decided = (Gtrid) tm.getTransactionKey();
      tm.commit(); // decided; the failed branch stays for recovery
    }
    long longest = 0;
    try (var files = Files.list(log)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".wal")).sorted().toList()) {
        longest = Math.max(longest, Format1.rewrite(p));
      }
    }
    Files.delete(log.resolve("wal.head"));
    assertTrue(longest > 16 * 1024, "premise: a record longer than 64 KiB segments allow");
    XatmConfig small =
        XatmConfig.builder()
            .nodeId("node-a")
            .logDir(log)
            .segmentSize(64 * 1024)
            .checkpointsEnabled(false)
            .installAsDefault(false)
            .build();
    XatmStartupException e =
        assertThrows(XatmStartupException.class, () -> XatmTransactionManager.start(small));
    assertInstanceOf(dev.xatm.wal.WalSettingException.class, e.getCause());
    long needed = ((dev.xatm.wal.WalSettingException) e.getCause()).requiredMaxRecordSize();
    assertTrue(needed > 16 * 1024 && needed <= longest, "the record found: " + needed);
    long kib = (4 * needed + 1023) / 1024;
    assertTrue(e.getMessage().contains("xatm.log.segment-size >= " + kib + "KiB"), e.getMessage());
    assertTrue(e.getMessage().contains("nothing is damaged"), e.getMessage());
    XatmConfig named =
        XatmConfig.builder()
            .nodeId("node-a")
            .logDir(log)
            .segmentSize(kib * 1024)
            .checkpointsEnabled(false)
            .installAsDefault(false)
            .build();
    try (XatmTransactionManager tm = XatmTransactionManager.start(named)) {
      assertEquals(
          Set.of(decided), tm.startupLogState().decided().keySet(), "the size named reads it");
    }
  }
}
