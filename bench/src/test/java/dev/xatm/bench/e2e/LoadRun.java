package dev.xatm.bench.e2e;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one contender at one thread count: every worker loops over transactions; after the warm-up
 * the measurement window opens, and a transaction counts (throughput, latency) when it completes
 * inside the window. JVM CPU is the process CPU time spent during the window less the measuring
 * thread's own (it samples {@code /proc} during the window); machine utilisation comes from {@code
 * /proc/stat} (all processes: both databases, this JVM, and anything else running on the machine).
 *
 * <p>Context switches come from {@link ContextSwitches}: each worker reads its own counters at its
 * first transaction boundary inside the window and again when it stops, after the transaction in
 * flight at the window's end, so each worker's reading is shifted by under one transaction against
 * the transactions counted; every other thread is sampled while it lives.
 */
final class LoadRun {
  private static final int WARM = 0;
  private static final int MEASURE = 1;
  private static final int STOP = 2;

  /**
   * How often the measuring thread reads the threads that do not read themselves: one that ends
   * inside the window loses at most this much of its switches. A reading costs about 20 µs of CPU
   * per thread (50 threads: 1 ms), taken from the 2 CPUs the contenders share, hence not more
   * often.
   */
  private static final long SAMPLE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** The numbers of one configuration. */
  record Result(
      String contender,
      int threads,
      long measured,
      double seconds,
      double p50Ms,
      double p99Ms,
      double cpuMicrosPerTx,
      double machineUtil,
      long committed,
      long errors,
      String firstError,
      String threadCpu,
      double voluntarySwitchesPerTx,
      double involuntarySwitchesPerTx,
      String switchSources) {
    double txPerSecond() {
      return measured / seconds;
    }
  }

  private LoadRun() {}

  static Result run(Contender c, int threads, double warmSeconds, double measureSeconds)
      throws Exception {
    c.open(threads);
    try {
      return load(c, threads, warmSeconds, measureSeconds);
    } finally {
      c.close();
    }
  }

  /**
   * One load thread's loop and its figures. Its fields are written by its own thread only and read
   * by the measuring thread after {@code join}.
   */
  private static final class Worker implements Runnable {
    private final Contender contender;
    private final int thread;
    private final AtomicLong phase;
    private final ContextSwitches switches;
    private long[] latencies = new long[1 << 14];
    private int measured;
    private long committed;
    private long errors;
    private Throwable firstError;

    Worker(Contender contender, int thread, AtomicLong phase, ContextSwitches switches) {
      this.contender = contender;
      this.thread = thread;
      this.phase = phase;
      this.switches = switches;
    }

    @Override
    public void run() {
      ContextSwitches.Entered inWindow = null;
      boolean entered = false;
      long sequence = 0;
      while (phase.get() != STOP) {
        if (!entered && phase.get() == MEASURE) {
          // Our own counters, now and when we leave: a thread's counters vanish with it, and we
          // end right after the window.
          inWindow = switches.enter();
          entered = true;
        }
        long start = System.nanoTime();
        try {
          contender.transfer(thread, sequence++);
        } catch (Exception | AssertionError e) {
          errors++;
          if (firstError == null) {
            firstError = e;
          }
          continue;
        }
        long end = System.nanoTime();
        committed++;
        if (phase.get() == MEASURE) {
          if (measured == latencies.length) {
            latencies = Arrays.copyOf(latencies, measured * 2);
          }
          latencies[measured++] = end - start;
        }
      }
      switches.leave(inWindow);
    }
  }

  private static Result load(Contender c, int threads, double warmSeconds, double measureSeconds)
      throws Exception {
    AtomicLong phase = new AtomicLong(WARM);
    ContextSwitches switches = new ContextSwitches();
    Worker[] workers = new Worker[threads];
    Thread[] running = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      workers[t] = new Worker(c, t, phase, switches);
      running[t] = new Thread(workers[t], c.name() + "-" + t);
      running[t].start();
    }
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Thread.sleep((long) (warmSeconds * 1000));
    long[] stat0 = procStat();
    ThreadCpu threads0 = ThreadCpu.snapshot();
    switches.open();
    long cpu0 = os.getProcessCpuTime();
    long self0 = mx.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    phase.set(MEASURE);
    long deadline = t0 + (long) (measureSeconds * 1e9);
    for (long left = deadline - t0; left > 0; left = deadline - System.nanoTime()) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, SAMPLE_EVERY_NANOS));
      if (System.nanoTime() < deadline) {
        switches.sample();
      }
    }
    // Before the stop: the workers end soon after it, and their thread CPU would be missing.
    ThreadCpu threads1 = ThreadCpu.snapshot();
    phase.set(STOP);
    long t1 = System.nanoTime();
    long self1 = mx.getCurrentThreadCpuTime();
    long cpu1 = os.getProcessCpuTime();
    switches.close();
    long[] stat1 = procStat();
    for (Thread w : running) {
      w.join();
    }
    ContextSwitches.Totals cs = switches.totals();
    int total = Arrays.stream(workers).mapToInt(w -> w.measured).sum();
    long[] all = new long[total];
    int at = 0;
    for (Worker w : workers) {
      System.arraycopy(w.latencies, 0, all, at, w.measured);
      at += w.measured;
    }
    Arrays.sort(all);
    String first =
        Arrays.stream(workers)
            .map(w -> w.firstError)
            .filter(e -> e != null)
            .findFirst()
            .map(Throwable::toString)
            .orElse(null);
    double util =
        stat0 == null || stat1 == null
            ? Double.NaN
            : (double) (stat1[0] - stat0[0]) / Math.max(1, stat1[1] - stat0[1]);
    boolean switchesValid = ContextSwitches.available() && cs.problem() == null && total > 0;
    return new Result(
        c.name(),
        threads,
        total,
        (t1 - t0) / 1e9,
        percentile(all, 0.50),
        percentile(all, 0.99),
        total == 0 ? Double.NaN : ((cpu1 - cpu0) - (self1 - self0)) / 1e3 / total,
        util,
        Arrays.stream(workers).mapToLong(w -> w.committed).sum(),
        Arrays.stream(workers).mapToLong(w -> w.errors).sum(),
        first,
        ThreadCpu.perTx(threads0, threads1, total),
        switchesValid ? (double) cs.all().voluntary() / total : Double.NaN,
        switchesValid ? (double) cs.all().involuntary() / total : Double.NaN,
        cs.describe());
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  /** {busy, total} jiffies of all CPUs, or null where /proc/stat does not exist. */
  private static long[] procStat() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal ...
      long busy = 0;
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        long v = Long.parseLong(f[i]);
        total += v;
        if (i != 4 && i != 5) {
          busy += v;
        }
      }
      return new long[] {busy, total};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
