package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.FakeXAResource.Op;
import dev.xatm.tm.testing.Journal;
import dev.xatm.wal.WalStats;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.openmbean.CompositeData;
import javax.transaction.xa.XAException;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JFR events of docs/operations.md, recorded from a TM on a real WAL and read back from the
 * recording file, and the log I/O histograms in {@code metrics()} and over JMX.
 */
class JfrEventsTest {
  private static final String COMMIT = "dev.xatm.tm.TransactionCommit";
  private static final String HEURISTIC = "dev.xatm.tm.Heuristic";
  private static final String PASS = "dev.xatm.tm.RecoveryPass";
  private static final String FORCE = "dev.xatm.wal.LogForce";

  @TempDir Path tmp;

  private static List<RecordedEvent> named(List<RecordedEvent> all, String name) {
    List<RecordedEvent> out = new ArrayList<>();
    for (RecordedEvent e : all) {
      if (e.getEventType().getName().equals(name)) {
        out.add(e);
      }
    }
    return out;
  }

  @Test
  void commitsHeuristicsPassesAndForcesAreRecordedWithTheirFields() throws Exception {
    XatmConfig config =
        XatmConfig.builder()
            .nodeId("jfr-node")
            .logDir(tmp.resolve("log"))
            .segmentSize(64 * 1024)
            .installAsDefault(false)
            .jmxEnabled(true)
            .build();
    Journal journal = new Journal();
    FakeXAResource a = new FakeXAResource("a", journal);
    FakeXAResource b = new FakeXAResource("b", journal);
    Path file = tmp.resolve("xatm.jfr");
    List<String> gtrids = new ArrayList<>();
    RecoveryReport pass;
    XatmMetrics metrics;
    CompositeData force;
    CompositeData batches;
    try (Recording recording = new Recording()) {
      for (String name : List.of(COMMIT, HEURISTIC, PASS, FORCE)) {
        recording.enable(name);
      }
      recording.start();
      try (XatmTransactionManager tm = XatmTransactionManager.builder(config).start()) {
        tm.begin(); // two-phase, committed
        tm.getTransaction().enlistResource(a);
        tm.getTransaction().enlistResource(b);
        gtrids.add(tm.getTransactionKey().toString());
        tm.commit();

        tm.begin(); // one-phase, committed
        tm.getTransaction().enlistResource(a);
        gtrids.add(tm.getTransactionKey().toString());
        tm.commit();

        b.script(Op.COMMIT, XAException.XA_HEURRB); // heuristic rollback of one branch: mixed
        tm.begin();
        tm.getTransaction().enlistResource(a);
        tm.getTransaction().enlistResource(b);
        gtrids.add(tm.getTransactionKey().toString());
        assertThrows(HeuristicMixedException.class, tm::commit);

        b.script(Op.PREPARE, XAException.XA_RBDEADLOCK); // a rollback vote
        tm.begin();
        tm.getTransaction().enlistResource(a);
        tm.getTransaction().enlistResource(b);
        gtrids.add(tm.getTransactionKey().toString());
        assertThrows(RollbackException.class, tm::commit);

        pass = tm.recovery().runPass();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        // Unforced records (End) may still be on their way to the file: read the metrics and the
        // MXBean until two metric reads around the MXBean reads agree (the log went quiet).
        int tries = 0;
        WalStats before;
        do {
          before = tm.metrics().logIo();
          force =
              (CompositeData)
                  server.getAttribute(MetricsBean.nameOf("jfr-node"), "LogForceLatencyMicros");
          batches =
              (CompositeData)
                  server.getAttribute(MetricsBean.nameOf("jfr-node"), "LogBatchRecords");
          metrics = tm.metrics();
        } while (++tries < 1000
            && (before.batchRecords().sum() != metrics.logIo().batchRecords().sum()
                || before.forceLatencyMicros().count()
                    != metrics.logIo().forceLatencyMicros().count()));
        // Before close: the closing checkpoint forces the log once more, after the metrics read.
        recording.stop();
      }
      recording.dump(file);
    }
    List<RecordedEvent> all = RecordingFile.readAllEvents(file);

    List<RecordedEvent> commits = named(all, COMMIT);
    assertEquals(4, commits.size(), commits.toString());
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      RecordedEvent e = commits.get(i);
      assertEquals(gtrids.get(i), e.getString("gtrid"));
      outcomes.add(e.getString("outcome"));
      assertTrue(e.getDuration().toNanos() > 0, "a commit takes time: " + e);
    }
    assertEquals(List.of(2, 1, 2, 2), commits.stream().map(e -> e.getInt("branches")).toList());
    // The terminal TxState: a heuristic rollback of one branch after the commit decision.
    assertEquals(
        List.of("COMMITTED", "COMMITTED", "HEURISTIC_AFTER_COMMIT", "ROLLED_BACK"), outcomes);

    List<RecordedEvent> heuristics = named(all, HEURISTIC);
    assertEquals(1, heuristics.size(), heuristics.toString());
    assertEquals(gtrids.get(2), heuristics.get(0).getString("gtrid"));
    assertEquals("b", heuristics.get(0).getString("resourceId"));
    assertEquals("ROLLED_BACK", heuristics.get(0).getString("outcome"));

    List<RecordedEvent> passes = named(all, PASS);
    assertTrue(passes.size() >= 2, "the startup pass and runPass(): " + passes);
    RecordedEvent last = passes.get(passes.size() - 1);
    assertEquals("jfr-node", last.getString("nodeId"));
    assertFalse(last.getBoolean("background"));
    assertEquals(pass.lines().size(), last.getInt("lines"));
    assertEquals(pass.unresolved(), last.getBoolean("unresolved"));
    assertEquals(pass.duration().toNanos(), last.getDuration("passDuration").toNanos());

    List<RecordedEvent> forces = named(all, FORCE);
    assertFalse(forces.isEmpty());
    long forcedRecords = 0;
    for (RecordedEvent e : forces) {
      forcedRecords += e.getInt("records");
      assertTrue(e.getLong("bytes") > 17L * e.getInt("records"), e.toString());
    }
    // Epoch, two resources, and at least Committing + Heuristic are forced records.
    assertTrue(forcedRecords >= 6, "forced records " + forcedRecords);

    WalStats io = metrics.logIo();
    assertEquals(forces.size(), io.forceLatencyMicros().count(), "one fsync per LogForce event");
    assertTrue(io.batchRecords().sum() >= forcedRecords);
    assertEquals(io.batchRecords().sum(), io.queueWaitMicros().count(), "a wait per record");
    assertEquals(io.forceLatencyMicros().count(), (long) force.get("count"));
    assertEquals(io.batchRecords().sum(), (long) batches.get("sum"));
    long[] counts = (long[]) force.get("counts");
    long[] bounds = (long[]) force.get("upperBounds");
    assertEquals(bounds.length + 1, counts.length);
  }
}
