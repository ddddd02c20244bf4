package dev.xatm.bench.e2e;

import java.util.Locale;
import java.util.Map;

/** The result table, with xatm's ratios to the raw floor next to the targets. */
final class Report {
  private Report() {}

  static String table(Map<String, LoadRun.Result> results, int[] threadCounts) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| threads | contender | tx/s | × raw-xa | p50 ms | p99 ms | JVM CPU µs/tx | CPU × raw-xa"
            + " | machine util |\n");
    sb.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int threads : threadCounts) {
      LoadRun.Result raw = results.get("raw-xa/" + threads);
      for (String name : new String[] {"raw-xa", "xatm", "narayana"}) {
        LoadRun.Result r = results.get(name + "/" + threads);
        if (r == null) {
          continue;
        }
        sb.append(
            String.format(
                Locale.ROOT,
                "| %d | %s | %.0f | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f |%n",
                threads,
                name,
                r.txPerSecond(),
                r.txPerSecond() / raw.txPerSecond(),
                r.p50Ms(),
                r.p99Ms(),
                r.cpuMicrosPerTx(),
                r.cpuMicrosPerTx() / raw.cpuMicrosPerTx(),
                r.machineUtil()));
      }
    }
    sb.append("\nxatm against the targets:\n");
    for (int threads : threadCounts) {
      LoadRun.Result raw = results.get("raw-xa/" + threads);
      LoadRun.Result x = results.get("xatm/" + threads);
      double tput = x.txPerSecond() / raw.txPerSecond();
      double cpu = x.cpuMicrosPerTx() / raw.cpuMicrosPerTx();
      double tputTarget = threads == 1 ? 1.0 : threads >= 16 ? 0.95 : Double.NaN;
      sb.append(
          String.format(
              Locale.ROOT,
              "  %2d threads: throughput %.2f× raw (target %s) %s; JVM CPU/tx %.2f× raw (target ≤"
                  + " 1.20) %s%n",
              threads,
              tput,
              Double.isNaN(tputTarget) ? "none" : "≥ " + tputTarget,
              Double.isNaN(tputTarget) ? "" : tput >= tputTarget ? "MET" : "MISSED",
              cpu,
              cpu <= 1.2 ? "MET" : "MISSED"));
    }
    return sb.toString();
  }
}
