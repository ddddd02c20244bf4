package dev.xatm.bench.e2e;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one contender at one thread count: every worker loops over transactions; after the warm-up
 * the measurement window opens, and a transaction counts (throughput, latency) when it completes
 * inside the window. JVM CPU is the process CPU time spent during the window; machine utilisation
 * comes from {@code /proc/stat} (all processes: both databases, this JVM, and anything else running
 * on the machine).
 */
final class LoadRun {
  private static final int WARM = 0;
  private static final int MEASURE = 1;
  private static final int STOP = 2;

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
      double involuntarySwitchesPerTx) {
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

  private static Result load(Contender c, int threads, double warmSeconds, double measureSeconds)
      throws Exception {
    AtomicLong phase = new AtomicLong(WARM);
    long[][] latencies = new long[threads][];
    int[] counts = new int[threads];
    long[] committed = new long[threads];
    long[] errors = new long[threads];
    Throwable[] firstError = new Throwable[threads];
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int thread = t;
      latencies[t] = new long[1 << 14];
      workers[t] =
          new Thread(
              () -> {
                long sequence = 0;
                while (phase.get() != STOP) {
                  long start = System.nanoTime();
                  try {
                    c.transfer(thread, sequence++);
                  } catch (Exception | AssertionError e) {
                    errors[thread]++;
                    if (firstError[thread] == null) {
                      firstError[thread] = e;
                    }
                    continue;
                  }
                  long end = System.nanoTime();
                  committed[thread]++;
                  if (phase.get() == MEASURE) {
                    if (counts[thread] == latencies[thread].length) {
                      latencies[thread] = Arrays.copyOf(latencies[thread], counts[thread] * 2);
                    }
                    latencies[thread][counts[thread]++] = end - start;
                  }
                }
              },
              c.name() + "-" + t);
      workers[t].start();
    }
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Thread.sleep((long) (warmSeconds * 1000));
    long[] stat0 = procStat();
    Map<String, long[]> switches0 = contextSwitches();
    ThreadCpu threads0 = ThreadCpu.snapshot();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    phase.set(MEASURE);
    Thread.sleep((long) (measureSeconds * 1000));
    phase.set(STOP);
    long t1 = System.nanoTime();
    long cpu1 = os.getProcessCpuTime();
    ThreadCpu threads1 = ThreadCpu.snapshot();
    Map<String, long[]> switches1 = contextSwitches();
    long[] stat1 = procStat();
    for (Thread w : workers) {
      w.join();
    }
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(latencies[t], 0, all, at, counts[t]);
      at += counts[t];
    }
    Arrays.sort(all);
    String first =
        Arrays.stream(firstError)
            .filter(e -> e != null)
            .findFirst()
            .map(Throwable::toString)
            .orElse(null);
    double util =
        stat0 == null || stat1 == null
            ? Double.NaN
            : (double) (stat1[0] - stat0[0]) / Math.max(1, stat1[1] - stat0[1]);
    return new Result(
        c.name(),
        threads,
        total,
        (t1 - t0) / 1e9,
        percentile(all, 0.50),
        percentile(all, 0.99),
        total == 0 ? Double.NaN : (cpu1 - cpu0) / 1e3 / total,
        util,
        Arrays.stream(committed).sum(),
        Arrays.stream(errors).sum(),
        first,
        ThreadCpu.perTx(threads0, threads1, total),
        perTx(switches0, switches1, 0, total),
        perTx(switches0, switches1, 1, total));
  }

  /**
   * Context switches of kind {@code i} (0 voluntary, 1 involuntary) per transaction: per thread,
   * after minus before (a thread started in between counts from zero; one that ended in between is
   * missing, so the figure is a lower bound for a TM that ends threads during the window).
   */
  private static double perTx(
      Map<String, long[]> before, Map<String, long[]> after, int i, long transactions) {
    if (before == null || after == null || transactions == 0) {
      return Double.NaN;
    }
    long sum = 0;
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] b = before.get(e.getKey());
      sum += e.getValue()[i] - (b == null ? 0 : b[i]);
    }
    return (double) sum / transactions;
  }

  /**
   * {voluntary, involuntary} context switches of each of this JVM's threads by thread id (from
   * {@code /proc/self/task/<tid>/status}), or null where {@code /proc} does not exist.
   */
  private static Map<String, long[]> contextSwitches() {
    Map<String, long[]> byTask = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : tasks.toList()) {
        long[] counts = new long[2];
        try {
          for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:")) {
              counts[0] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
              counts[1] = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException endedMeanwhile) {
          continue; // the thread ended between the listing and the read
        }
        byTask.put(task.getFileName().toString(), counts);
      }
      return byTask;
    } catch (IOException | RuntimeException e) {
      return null;
    }
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
