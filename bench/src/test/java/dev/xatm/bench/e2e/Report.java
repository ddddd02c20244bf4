package dev.xatm.bench.e2e;

import java.util.Locale;
import java.util.Map;

/** The result table, with xatm's ratios to the raw floor next to the targets. */
final class Report {
  /** The table's rows per thread count, in this order; a contender that did not run is left out. */
  static final String[] CONTENDERS = {"raw-xa", "xatm", "narayana", "atomikos"};

  private Report() {}

  static String table(Map<String, LoadRun.Result> results, int[] threadCounts) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| threads | contender | tx/s | × raw-xa | p50 ms | p99 ms | JVM CPU µs/tx | CPU × raw-xa"
            + " | vol. cs/tx | cs × raw-xa | invol. cs/tx | machine util |\n");
    sb.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int threads : threadCounts) {
      LoadRun.Result raw = results.get("raw-xa/" + threads);
      for (String name : CONTENDERS) {
        LoadRun.Result r = results.get(name + "/" + threads);
        if (r == null) {
          continue;
        }
        sb.append(
            String.format(
                Locale.ROOT,
                "| %d | %s | %.0f | %.2f | %.2f | %.2f | %.0f | %.2f | %.1f | %.2f | %.1f | %.2f |%n",
                threads,
                name,
                r.txPerSecond(),
                r.txPerSecond() / raw.txPerSecond(),
                r.p50Ms(),
                r.p99Ms(),
                r.cpuMicrosPerTx(),
                r.cpuMicrosPerTx() / raw.cpuMicrosPerTx(),
                r.voluntarySwitchesPerTx(),
                r.voluntarySwitchesPerTx() / raw.voluntarySwitchesPerTx(),
                r.involuntarySwitchesPerTx(),
                r.machineUtil()));
      }
    }
    sb.append("\nxatm against the targets:\n");
    for (int threads : threadCounts) {
      LoadRun.Result raw = results.get("raw-xa/" + threads);
      LoadRun.Result x = results.get("xatm/" + threads);
      double tput = x.txPerSecond() / raw.txPerSecond();
      double cpu = x.cpuMicrosPerTx() / raw.cpuMicrosPerTx();
      double tputTarget = threads == 1 ? 1.1 : 0.95;
      double bestPeer = 0;
      for (String peer : new String[] {"narayana", "atomikos"}) {
        LoadRun.Result p = results.get(peer + "/" + threads);
        if (p != null) {
          bestPeer = Math.max(bestPeer, p.txPerSecond());
        }
      }
      double vs = bestPeer == 0 ? Double.NaN : x.txPerSecond() / bestPeer;
      double cs = x.voluntarySwitchesPerTx() / raw.voluntarySwitchesPerTx();
      sb.append(
          String.format(
              Locale.ROOT,
              "  %2d threads: throughput %.2f× raw (target ≥ %.2f) %s; %.2f× the best peer (target"
                  + " ≥ 1.25) %s; JVM CPU/tx %.2f× raw (target ≤ 1.30) %s; voluntary context"
                  + " switches/tx %.2f× raw (target ≤ 1.30) %s%n",
              threads,
              tput,
              tputTarget,
              tput >= tputTarget ? "MET" : "MISSED",
              vs,
              vs >= 1.25 ? "MET" : "MISSED",
              cpu,
              cpu <= 1.3 ? "MET" : "MISSED",
              cs,
              cs <= 1.3 ? "MET" : "MISSED"));
    }
    return sb.toString();
  }
}
