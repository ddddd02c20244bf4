package dev.xatm.bench.e2e;

import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The result table of issue 15 (per thread count, every contender next to the raw XA floor) and
 * xatm's standing against the targets, computed from the same run.
 */
final class Report {
  /** The table's rows per thread count, in this order; a contender that did not run is left out. */
  static final String[] CONTENDERS = {
    "xatm", "raw-xa", "narayana", "narayana-journal", "atomikos", "xatm-mirror"
  };

  /** The other transaction managers, whose best xatm must beat by {@value #PEER_TARGET}×. */
  static final String[] PEERS = {"narayana", "narayana-journal", "atomikos"};

  static final double PEER_TARGET = 1.25;
  static final double CPU_TARGET = 1.3;
  static final double SWITCH_TARGET = 1.3;

  private Report() {}

  /** Throughput xatm must reach, as a multiple of raw XA, at {@code threads}. */
  static double rawTarget(int threads) {
    return threads == 1 ? 1.1 : 0.95;
  }

  /**
   * The cluster mode's cost (issue 16): xatm with the decision mirror on against the same run with
   * it off; the target is ≥ 0.9× at 16 threads.
   */
  static String mirror(Map<String, LoadRun.Result> results, int[] threadCounts) {
    StringBuilder sb = new StringBuilder("\nThe decision mirror on against off (issue 16):\n\n");
    sb.append("| threads | xatm tx/s | xatm-mirror tx/s | ratio | p99 ms off / on |\n");
    sb.append("|---:|---:|---:|---:|---|\n");
    for (int threads : threadCounts) {
      LoadRun.Result off = results.get("xatm/" + threads);
      LoadRun.Result on = results.get("xatm-mirror/" + threads);
      if (off == null || on == null) {
        continue;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "| %d | %.0f | %.0f | %.2f%s | %.2f / %.2f |%n",
              threads,
              off.txPerSecond(),
              on.txPerSecond(),
              on.txPerSecond() / off.txPerSecond(),
              threads == 16
                  ? (on.txPerSecond() >= 0.9 * off.txPerSecond() ? " (met)" : " (not met)")
                  : "",
              off.p99Ms(),
              on.p99Ms()));
    }
    return sb.toString();
  }

  static String table(Map<String, LoadRun.Result> results, int[] threadCounts) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "| threads | contender | tx/s | × raw | p99 ms | JVM CPU µs/tx"
            + " | vol. switches/tx (× raw) | invol. switches/tx |\n");
    sb.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
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
                "| %d | %s | %.0f | %s | %.2f | %.0f | %.1f (%s) | %.1f |%n",
                threads,
                name,
                r.txPerSecond(),
                ratio(r, raw, LoadRun.Result::txPerSecond),
                r.p99Ms(),
                r.cpuMicrosPerTx(),
                r.voluntarySwitchesPerTx(),
                ratio(r, raw, LoadRun.Result::voluntarySwitchesPerTx),
                r.involuntarySwitchesPerTx()));
      }
    }
    sb.append("\nxatm against the targets of issue 15:\n\n");
    targets(sb, results, threadCounts);
    return sb.toString();
  }

  /** Each target of issue 15 at each thread count: both figures, the ratio, met or not. */
  private static void targets(
      StringBuilder sb, Map<String, LoadRun.Result> results, int[] threadCounts) {
    sb.append("| threads | target | xatm | reference | ratio | |\n");
    sb.append("|---:|---|---:|---|---:|---|\n");
    for (int threads : threadCounts) {
      LoadRun.Result x = results.get("xatm/" + threads);
      LoadRun.Result raw = results.get("raw-xa/" + threads);
      String best = null;
      LoadRun.Result bestPeer = null;
      for (String peer : PEERS) {
        LoadRun.Result p = results.get(peer + "/" + threads);
        if (p != null && (bestPeer == null || p.txPerSecond() > bestPeer.txPerSecond())) {
          best = peer;
          bestPeer = p;
        }
      }
      Target[] targets = {
        new Target("tx/s", true, rawTarget(threads), "raw", LoadRun.Result::txPerSecond, "%.0f"),
        new Target(
            "tx/s",
            true,
            PEER_TARGET,
            "the best of " + String.join(", ", PEERS),
            LoadRun.Result::txPerSecond,
            "%.0f"),
        new Target(
            "JVM CPU µs/tx", false, CPU_TARGET, "raw", LoadRun.Result::cpuMicrosPerTx, "%.0f"),
        new Target(
            "vol. switches/tx",
            false,
            SWITCH_TARGET,
            "raw",
            LoadRun.Result::voluntarySwitchesPerTx,
            "%.1f"),
      };
      for (Target t : targets) {
        boolean againstRaw = t.reference().equals("raw");
        t.row(sb, threads, x, againstRaw ? "raw-xa" : best, againstRaw ? raw : bestPeer);
      }
    }
  }

  /**
   * One of issue 15's targets: xatm's {@code figure} at least ({@code atLeast}) or at most {@code
   * bound} times the reference's.
   */
  private record Target(
      String figureName,
      boolean atLeast,
      double bound,
      String reference,
      ToDoubleFunction<LoadRun.Result> figure,
      String format) {
    /**
     * xatm's figure, the reference's, the ratio, and the verdict; "not measured" if one is missing.
     */
    void row(
        StringBuilder sb,
        int threads,
        LoadRun.Result xatm,
        String referenceName,
        LoadRun.Result referenceResult) {
      double x = xatm == null ? Double.NaN : figure.applyAsDouble(xatm);
      double ref = referenceResult == null ? Double.NaN : figure.applyAsDouble(referenceResult);
      double ratio = x / ref;
      String verdict;
      if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
        verdict = "not measured";
      } else {
        verdict = (atLeast ? ratio >= bound : ratio <= bound) ? "met" : "not met";
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "| %d | %s %s %.2f× %s | %s | %s %s | %.2f× | %s |%n",
              threads,
              figureName,
              atLeast ? "≥" : "≤",
              bound,
              reference,
              String.format(Locale.ROOT, format, x),
              referenceName == null ? "—" : referenceName,
              String.format(Locale.ROOT, format, ref),
              ratio,
              verdict));
    }
  }

  private static String ratio(
      LoadRun.Result r, LoadRun.Result raw, ToDoubleFunction<LoadRun.Result> figure) {
    if (raw == null) {
      return "—";
    }
    return String.format(Locale.ROOT, "%.2f", figure.applyAsDouble(r) / figure.applyAsDouble(raw));
  }
}
