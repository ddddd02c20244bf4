package dev.xatm.bench.e2e;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * CPU time per group of threads between two snapshots, to say where a contender's JVM CPU goes
 * (workers, the TM's phase threads, the WAL writer, GC and JIT are in the process total only).
 * Threads are grouped by name with digits and anything after a space removed ({@code xatm-phase-3}
 * and {@code xatm-phase-5} are one group). Threads that end between the snapshots are missing from
 * the groups.
 */
final class ThreadCpu {
  private final Map<Long, Long> cpu = new HashMap<>();
  private long allocated;
  private long gcMillis;
  private long jitMillis;
  private final Map<Long, String> names = new HashMap<>();

  private ThreadCpu() {}

  static ThreadCpu snapshot() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    ThreadCpu s = new ThreadCpu();
    if (mx instanceof com.sun.management.ThreadMXBean sun) {
      for (long b : sun.getThreadAllocatedBytes(mx.getAllThreadIds())) {
        s.allocated += Math.max(0, b);
      }
    }
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      s.gcMillis += Math.max(0, gc.getCollectionTime());
    }
    var jit = ManagementFactory.getCompilationMXBean();
    s.jitMillis =
        jit != null && jit.isCompilationTimeMonitoringSupported()
            ? jit.getTotalCompilationTime()
            : 0;
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long t = mx.getThreadCpuTime(info.getThreadId());
      if (t >= 0) {
        s.cpu.put(info.getThreadId(), t);
        s.names.put(info.getThreadId(), group(info.getThreadName()));
      }
    }
    return s;
  }

  private static String group(String name) {
    int space = name.indexOf(' ');
    String n = space < 0 ? name : name.substring(0, space);
    return n.replaceAll("[0-9]+", "#");
  }

  /**
   * "group µs/tx, ..." for groups above 1 µs/tx, largest first, then bytes allocated per
   * transaction (threads alive at both snapshots) and GC / JIT time per transaction.
   */
  static String perTx(ThreadCpu before, ThreadCpu after, long transactions) {
    Map<String, Long> byGroup = new TreeMap<>();
    for (Map.Entry<Long, Long> e : after.cpu.entrySet()) {
      long delta = e.getValue() - before.cpu.getOrDefault(e.getKey(), 0L);
      byGroup.merge(after.names.get(e.getKey()), delta, Long::sum);
    }
    long n = Math.max(1, transactions);
    String extra =
        String.format(
            Locale.ROOT,
            "; allocated %.1f KB/tx; GC pauses %.0f µs/tx, JIT compiling %.0f µs/tx (elapsed, not"
                + " CPU; outside the thread groups)",
            (after.allocated - before.allocated) / 1024.0 / n,
            (after.gcMillis - before.gcMillis) * 1e3 / n,
            (after.jitMillis - before.jitMillis) * 1e3 / n);
    return byGroup.entrySet().stream()
            .filter(e -> e.getValue() / 1e3 / n >= 1)
            .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
            .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() / 1e3 / n))
            .collect(Collectors.joining(", "))
        + extra;
  }
}
