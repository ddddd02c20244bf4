package dev.xatm.bench.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end-to-end benchmark (docs/benchmarks-e2e.md): two PostgreSQL databases, each transaction
 * updates one row in each, at 1, 4, 16 and 64 threads, for five contenders in one run: xatm through
 * {@code jdbc:xa:} pooled DataSources, the raw XA floor (XAResources driven by hand, no log),
 * Narayana with its default store and with its journal store on the same XA connections, and
 * Atomikos 6 through its own pooled DataSources.
 *
 * <p>Shape: an untimed JIT warm-up of every contender, then for each thread count every contender
 * in turn (the order rotates from one thread count to the next), each after a VACUUM and a
 * CHECKPOINT, with a warm-up and a measurement window. After every configuration the sums must show
 * exactly the committed transfers, and no transaction may be left prepared.
 *
 * <p>Settings (system properties): {@code bench.threads} (1,4,16,64), {@code bench.jit} seconds
 * (8), {@code bench.warmup} (3), {@code bench.measure} (10), {@code bench.dir} (target/e2e), {@code
 * bench.pg.url} (see {@link BenchServer}).
 */
public final class E2eBench {
  private E2eBench() {}

  /** The cluster mode's database (lease table and decision mirror), with -Dbench.cluster=true. */
  static final String CLUSTER_DB = "xatm_e2e_cluster";

  public static void main(String[] args) throws Exception {
    Logger.getLogger("").setLevel(Level.WARNING);
    Logger.getLogger("com.arjuna").setLevel(Level.WARNING);
    int[] threadCounts =
        Arrays.stream(System.getProperty("bench.threads", "1,4,16,64").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim()))
            .toArray();
    double jit = Double.parseDouble(System.getProperty("bench.jit", "8"));
    double warm = Double.parseDouble(System.getProperty("bench.warmup", "3"));
    double measure = Double.parseDouble(System.getProperty("bench.measure", "10"));
    Path dir = Path.of(System.getProperty("bench.dir", "target/e2e")).toAbsolutePath();
    int maxThreads = Arrays.stream(threadCounts).max().orElseThrow();

    Files.createDirectories(dir);
    deleteTree(dir.resolve("xatm-log"));
    deleteTree(dir.resolve("narayana-store"));
    deleteTree(dir.resolve("narayana-journal"));
    deleteTree(dir.resolve("atomikos-log"));
    BenchServer server = BenchServer.locate(maxThreads, dir);
    if ("2".equals(System.getProperty("bench.servers", "1").trim())) {
      server = server.withSecondServer(dir, maxThreads);
    }
    BankTables tables = new BankTables(server, maxThreads);
    tables.create();
    List<Contender> contenders = new ArrayList<>();
    contenders.add(new XatmContender(server, dir.resolve("xatm-log")));
    contenders.add(new RawXaContender(server));
    List<NarayanaContender> narayanas =
        List.of(
            new NarayanaContender(
                server, NarayanaContender.Store.DEFAULT, dir.resolve("narayana-store")),
            new NarayanaContender(
                server, NarayanaContender.Store.JOURNAL, dir.resolve("narayana-journal")));
    contenders.addAll(narayanas);
    contenders.add(new AtomikosContender(server, dir.resolve("atomikos-log")));
    boolean cluster = Boolean.getBoolean("bench.cluster");
    if (cluster) {
      deleteTree(dir.resolve("xatm-mirror-log"));
      tables.createDatabase(CLUSTER_DB);
      contenders.add(new XatmContender(server, dir.resolve("xatm-mirror-log"), CLUSTER_DB));
    }

    String only = System.getProperty("bench.contenders", "");
    if (!only.isBlank()) {
      // A/B runs of a few contenders; the tables then show what ran.
      List<String> names = Arrays.stream(only.split(",")).map(String::trim).toList();
      contenders.removeIf(c -> !names.contains(c.name()));
    }

    StringBuilder header = new StringBuilder();
    header.append("# xatm end-to-end benchmark, ").append(Instant.now()).append('\n');
    header.append("server: ").append(server.why).append('\n');
    header.append("settings: ").append(server.settings()).append('\n');
    header
        .append("machine: ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" CPUs, ")
        .append(System.getProperty("java.vm.name"))
        .append(' ')
        .append(System.getProperty("java.runtime.version"))
        .append(", JVM args ")
        .append(ManagementFactory.getRuntimeMXBean().getInputArguments())
        .append('\n');
    for (NarayanaContender n : narayanas) {
      header
          .append(n.name())
          .append(" object store: ")
          .append(n.storeType())
          .append(" in ")
          .append(n.storeDir())
          .append('\n');
    }
    header.append(
        String.format(
            Locale.ROOT,
            "run: threads %s, JIT warm-up %.0f s per contender, then per configuration %.0f s"
                + " warm-up + %.0f s measured%n",
            Arrays.toString(threadCounts),
            jit,
            warm,
            measure));
    System.out.print(header);

    for (Contender c : contenders) {
      LoadRun.Result r = LoadRun.run(c, Math.min(4, maxThreads), 0, jit);
      System.out.printf(
          Locale.ROOT,
          "jit warm-up %-16s %7.0f tx/s, errors %d%s%n",
          c.name(),
          r.txPerSecond(),
          r.errors(),
          r.firstError() == null ? "" : " (" + r.firstError() + ")");
    }

    Map<String, LoadRun.Result> results = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    StringBuilder cpuLines = new StringBuilder("\nJVM CPU by thread group, µs per transaction:\n");
    for (int i = 0; i < threadCounts.length; i++) {
      int threads = threadCounts[i];
      for (int k = 0; k < contenders.size(); k++) {
        Contender c = contenders.get((i + k) % contenders.size());
        tables.settle();
        long[] before = tables.sums();
        LoadRun.Result r = LoadRun.run(c, threads, warm, measure);
        long[] after = tables.sums();
        int prepared = tables.preparedLeft();
        results.put(c.name() + "/" + threads, r);
        System.out.printf(
            Locale.ROOT,
            "%-16s %3d threads: %7.0f tx/s  p50 %6.2f ms  p99 %6.2f ms  JVM CPU %5.0f µs/tx"
                + "  switches/tx %.1f vol. %.1f invol.  machine util %.2f  errors %d%s%n",
            c.name(),
            threads,
            r.txPerSecond(),
            r.p50Ms(),
            r.p99Ms(),
            r.cpuMicrosPerTx(),
            r.voluntarySwitchesPerTx(),
            r.involuntarySwitchesPerTx(),
            r.machineUtil(),
            r.errors(),
            r.firstError() == null ? "" : " (first: " + r.firstError() + ")");
        System.out.println("         thread CPU µs/tx: " + r.threadCpu());
        System.out.println("         context switches from: " + r.switchSources());
        cpuLines.append(c.name()).append(' ').append(threads).append(" threads: ");
        cpuLines.append(r.threadCpu()).append('\n');
        cpuLines.append("  context switches from: ").append(r.switchSources()).append('\n');
        long debited = before[0] - after[0];
        long credited = after[1] - before[1];
        if (debited != r.committed() || credited != r.committed()) {
          failures.add(
              c.name()
                  + "/"
                  + threads
                  + ": committed "
                  + r.committed()
                  + " but A lost "
                  + debited
                  + " and B gained "
                  + credited);
        }
        if (prepared != 0) {
          failures.add(c.name() + "/" + threads + ": " + prepared + " prepared transactions left");
        }
        if (r.errors() != 0) {
          failures.add(c.name() + "/" + threads + ": " + r.errors() + " failed transactions");
        }
      }
    }

    String table = Report.table(results, threadCounts);
    if (cluster) {
      table += Report.mirror(results, threadCounts);
    }
    System.out.println();
    System.out.print(table);
    String checks =
        failures.isEmpty()
            ? "checks: after every configuration A lost and B gained exactly the committed"
                + " transfers, nothing was left prepared, no transaction failed\n"
            : "CHECKS FAILED:\n  " + String.join("\n  ", failures) + "\n";
    System.out.print(checks);
    Path out = dir.resolve("results-" + Instant.now().toString().replace(':', '-') + ".md");
    Files.writeString(out, header + "\n" + table + checks + cpuLines);
    System.out.println("written to " + out);
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var files = Files.walk(p)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}
