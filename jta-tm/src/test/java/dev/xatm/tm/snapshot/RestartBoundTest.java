package dev.xatm.tm.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
import dev.xatm.tm.testing.ManualClock;
import dev.xatm.tm.testing.ManualScheduler;
import dev.xatm.wal.storage.FaultyStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The log's size under restarts (issue 14): every start opens a new segment, and a process that
 * lives less than the checkpoint interval used to never checkpoint, so short runs piled segments up
 * (45 starts left 46 segments against a cap of 32) and the cap then refused transactions right
 * after a start. A start (after recovery) and a clean close now take a checkpoint, and the cap
 * gives up the fallback checkpoint before it refuses.
 *
 * <p>In process, on a {@link FaultyStorage}: a "kill" abandons the TM without close and continues
 * on what survives a crash of the storage (durable bytes, a random part of the rest).
 */
class RestartBoundTest {
  private static final long SEGMENT = 64 * 1024;
  private static final Path LOG = Path.of("/faulty/restarts");
  private final Journal journal = new Journal();
  private final FakeXAResource a = new FakeXAResource("a", journal);
  private final FakeXAResource b = new FakeXAResource("b", journal);
  private final ExecutorService phase = Executors.newFixedThreadPool(2);
  private final ManualClock clock = new ManualClock(1_000_000L);

  @AfterEach
  void stop() {
    phase.shutdownNow();
  }

  private XatmConfig.Builder defaults() {
    // Default checkpoint triggers (60 s, 2 segments, rotation); the smallest cap allowed.
    return XatmConfig.builder()
        .nodeId("node-r")
        .logDir(LOG)
        .segmentSize(SEGMENT)
        .logMaxSize(4 * SEGMENT)
        .installAsDefault(false);
  }

  private XatmTransactionManager start(
      XatmConfig config, FaultyStorage storage, ManualScheduler scheduler) {
    return XatmTransactionManager.builder(config)
        .clock(clock)
        .scheduler(scheduler)
        .phaseExecutor(phase)
        .xaExecutor(Runnable::run)
        .logStorage(storage)
        .start();
  }

  private void twoPhase(XatmTransactionManager tm) throws Exception {
    tm.begin(); // throws SystemException when the cap refuses
    tm.getTransaction().enlistResource(a);
    tm.getTransaction().enlistResource(b);
    tm.commit();
  }

  private static long files(FaultyStorage storage, String suffix) throws Exception {
    return storage.list(LOG).stream()
        .filter(p -> p.getFileName().toString().endsWith(suffix))
        .count();
  }

  @Test
  void hundredShortRunsHalfClosedHalfKilledKeepTheLogBoundedAndAdmitEveryTransaction()
      throws Exception {
    long seed = System.nanoTime();
    System.out.println("RestartBoundTest seed " + seed);
    Random random = new Random(seed);
    FaultyStorage storage = new FaultyStorage();
    XatmConfig config = defaults().build();
    long maxSegments = 0;
    long maxCheckpoints = 0;
    long maxBytes = 0;
    List<Long> segmentsPerStart = new ArrayList<>();
    for (int run = 0; run < 100; run++) {
      ManualScheduler scheduler = new ManualScheduler(clock); // a new process
      XatmTransactionManager tm = start(config, storage, scheduler);
      LogLifecycle guard = tm.logLifecycle().orElseThrow();
      long segments = files(storage, ".wal");
      segmentsPerStart.add(segments);
      if (run < 6)
        System.out.println(
            +run
                + " "
                + storage.list(LOG).stream()
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList());
      maxSegments = Math.max(maxSegments, segments);
      maxCheckpoints = Math.max(maxCheckpoints, files(storage, ".ckpt"));
      maxBytes = Math.max(maxBytes, guard.measure());
      twoPhase(tm); // a refusal fails the test here
      scheduler.advanceAndRun(Duration.ofSeconds(1)); // one tick: the size check
      assertEquals(null, guard.status().refusal(), "refused after run " + run);
      if (run % 2 == 0) {
        tm.close();
      } else {
        storage = storage.crash(random); // killed: no close, no closing checkpoint
      }
    }
    System.out.println(
        "RestartBoundTest segments after each start: "
            + segmentsPerStart
            + "; max "
            + maxSegments
            + " segments, "
            + maxCheckpoints
            + " checkpoints, "
            + maxBytes
            + " bytes");
    // The previous run's segment (if it was killed), the active one and the spare.
    assertTrue(maxSegments <= 3, "segments: " + segmentsPerStart);
    assertTrue(maxCheckpoints <= 2, "checkpoints: " + maxCheckpoints);
    assertTrue(maxBytes <= 4 * SEGMENT, "bytes: " + maxBytes);
    try (XatmTransactionManager tm = start(config, storage, new ManualScheduler(clock))) {
      twoPhase(tm);
      assertEquals(101, tm.epoch(), "every run started a new epoch on the same log");
    }
  }

  /**
   * The refusal seen "right after a start" with nothing unfinished: two checkpoints of an early
   * run, then many short runs without one, so the older retained checkpoint pinned every later
   * segment and even right after a checkpoint and GC the directory stayed over the cap. The cap now
   * gives up that fallback (the newest checkpoint, verified, bounds GC) instead of refusing.
   */
  @Test
  void anOldFallbackCheckpointDoesNotMakeTheCapRefuseAfterAStart() throws Exception {
    FaultyStorage storage = new FaultyStorage();
    try (XatmTransactionManager tm =
        start(defaults().logMaxSize(0).build(), storage, new ManualScheduler(clock))) {
      twoPhase(tm);
      tm.logLifecycle().orElseThrow().checkpointNow();
      twoPhase(tm);
      tm.logLifecycle().orElseThrow().checkpointNow();
    }
    XatmConfig noCheckpoints = defaults().checkpointsEnabled(false).logMaxSize(0).build();
    for (int run = 0; run < 8; run++) {
      try (XatmTransactionManager tm = start(noCheckpoints, storage, new ManualScheduler(clock))) {
        twoPhase(tm);
      }
    }
    long before = files(storage, ".wal");
    assertTrue(before > 4, "the log is over the cap before the start: " + before + " segments");

    ManualScheduler scheduler = new ManualScheduler(clock);
    try (XatmTransactionManager tm = start(defaults().build(), storage, scheduler)) {
      LogLifecycle guard = tm.logLifecycle().orElseThrow();
      assertEquals(null, guard.status().refusal(), "refused right after the start");
      twoPhase(tm);
      scheduler.advanceAndRun(Duration.ofSeconds(1));
      assertEquals(null, guard.status().refusal(), "refused at the first tick");
      twoPhase(tm);
      assertTrue(guard.status().logBytes() <= 4 * SEGMENT, "measured " + guard.status().logBytes());
      assertTrue(files(storage, ".wal") <= 3, "segments: " + files(storage, ".wal"));
    }
  }
}
