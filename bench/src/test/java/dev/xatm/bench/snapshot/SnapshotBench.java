package dev.xatm.bench.snapshot;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Sustained two-phase load with checkpoints on and off (docs/snapshots.md): N transactions over two
 * in-memory XA resources (prepare/commit return at once) from T threads, the log forced as usual,
 * small segments so rotation and GC really happen. Samples the log directory's size every 50 ms
 * (max observed vs the bound) and reports commit latency percentiles per mode. Not a test.
 *
 * <p>System properties: {@code snap.bench.tx} (1000000), {@code snap.bench.threads} (16), {@code
 * snap.bench.segment} bytes (4 MiB), {@code snap.bench.dir} (target/snapshot-bench), {@code
 * snap.bench.modes} (off,on).
 */
public final class SnapshotBench {

  public static void main(String[] args) throws Exception {
    long txs = Long.getLong("snap.bench.tx", 1_000_000);
    int threads = Integer.getInteger("snap.bench.threads", 16);
    long segment = Long.getLong("snap.bench.segment", 4L << 20);
    Path root =
        Path.of(System.getProperty("snap.bench.dir", "target/snapshot-bench")).toAbsolutePath();
    String[] modes = System.getProperty("snap.bench.modes", "off,on").split(",");
    System.out.printf(
        "snapshot bench: %d 2PC transactions, %d threads, %d-byte segments, fsync on, %d cores%n",
        txs, threads, segment, Runtime.getRuntime().availableProcessors());
    for (String mode : modes) {
      run(mode.trim(), txs, threads, segment, root.resolve(mode.trim()));
    }
  }

  private static void run(String mode, long txs, int threads, long segment, Path dir)
      throws Exception {
    delete(dir);
    boolean on = mode.equals("on");
    XatmConfig config =
        XatmConfig.builder()
            .nodeId("bench")
            .logDir(dir)
            .segmentSize(segment)
            .checkpointsEnabled(on)
            .logMaxSize(0)
            .installAsDefault(false)
            .build();
    long[] latencies = new long[(int) txs];
    AtomicLong next = new AtomicLong();
    AtomicLong maxSize = new AtomicLong();
    AtomicLongArray samples = new AtomicLongArray(2); // count, sum
    AtomicBoolean done = new AtomicBoolean();
    try (XatmTransactionManager tm = XatmTransactionManager.start(config)) {
      Thread sampler =
          new Thread(
              () -> {
                while (!done.get()) {
                  long s = size(dir);
                  maxSize.accumulateAndGet(s, Math::max);
                  samples.incrementAndGet(0);
                  samples.addAndGet(1, s);
                  try {
                    Thread.sleep(50); // sampling period of a benchmark, not a test
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      sampler.setDaemon(true);
      sampler.start();
      Thread[] workers = new Thread[threads];
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        workers[t] =
            new Thread(
                () -> {
                  MemResource r1 = new MemResource();
                  MemResource r2 = new MemResource();
                  for (long i = next.getAndIncrement(); i < txs; i = next.getAndIncrement()) {
                    long t0 = System.nanoTime();
                    try {
                      tm.begin();
                      tm.getTransaction().enlistResource(r1);
                      tm.getTransaction().enlistResource(r2);
                      tm.commit();
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                    latencies[(int) i] = System.nanoTime() - t0;
                  }
                });
        workers[t].start();
      }
      for (Thread w : workers) {
        w.join();
      }
      long elapsed = System.nanoTime() - start;
      done.set(true);
      sampler.join();
      long checkpoints = tm.logLifecycle().map(l -> l.status().checkpointsWritten()).orElse(0L);
      Arrays.sort(latencies);
      System.out.printf(
          "mode=%s tx/s=%.0f p50=%.3fms p99=%.3fms p99.9=%.3fms max=%.3fms checkpoints=%d"
              + " logdir max=%.1fMiB (%.1f segments) mean=%.1fMiB final=%.1fMiB%n",
          mode,
          txs / (elapsed / 1e9),
          pct(latencies, 0.50),
          pct(latencies, 0.99),
          pct(latencies, 0.999),
          latencies[latencies.length - 1] / 1e6,
          checkpoints,
          maxSize.get() / 1048576.0,
          maxSize.get() / (double) segment,
          samples.get(1) / (double) Math.max(1, samples.get(0)) / 1048576.0,
          size(dir) / 1048576.0);
    }
  }

  private static double pct(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
  }

  private static long size(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0; // deleted by GC while listing
                }
              })
          .sum();
    } catch (IOException e) {
      return 0;
    }
  }

  private static void delete(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** An XA resource whose every call returns at once. One per thread (no shared state). */
  static final class MemResource implements XAResource {
    @Override
    public void commit(Xid xid, boolean onePhase) {}

    @Override
    public void end(Xid xid, int flags) {}

    @Override
    public void forget(Xid xid) {}

    @Override
    public int getTransactionTimeout() {
      return 0;
    }

    @Override
    public boolean isSameRM(XAResource other) {
      return other == this;
    }

    @Override
    public int prepare(Xid xid) {
      return XA_OK;
    }

    @Override
    public Xid[] recover(int flag) throws XAException {
      return new Xid[0];
    }

    @Override
    public void rollback(Xid xid) {}

    @Override
    public boolean setTransactionTimeout(int seconds) {
      return true;
    }

    @Override
    public void start(Xid xid, int flags) {}
  }
}
