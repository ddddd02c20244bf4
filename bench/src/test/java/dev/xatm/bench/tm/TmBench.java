package dev.xatm.bench.tm;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.wal.Durability;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The transaction manager benchmark (docs/benchmarks-tm.md). In one run, on one file system:
 *
 * <ol>
 *   <li>the raw floor: a preallocated file, 4 KiB write + {@code force(false)} in a loop;
 *   <li>xatm at 1, 16 and 64 threads: begin, enlist two instant XAResources, commit (2PC: Begin,
 *       Committing forced, End, on the real WAL with fsync);
 *   <li>Narayana (narayana-jta, same resources, same thread counts) with its default file store and
 *       with its journal store, and Atomikos 6 with its file log, each in a child JVM because their
 *       configuration is global.
 * </ol>
 *
 * <p>Usage: {@code TmBench [seconds-per-point] [directory]}; defaults 5 s and {@code
 * bench/target/tm-bench}.
 */
public final class TmBench {
  private static final int[] THREADS = {1, 16, 64};

  private TmBench() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    Path root = Path.of(args.length > 1 ? args[1] : "target/tm-bench").toAbsolutePath();
    delete(root);
    Files.createDirectories(root);
    System.out.printf(
        "xatm TM benchmark: %d cores, Java %s, directory %s (%s), %.0f s per point%n%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        root,
        Files.getFileStore(root).type(),
        seconds);

    double raw = Math.max(rawForceLoop(root, seconds / 2), rawForceLoop(root, seconds / 2));
    Map<Integer, Double> xatm = new LinkedHashMap<>();
    for (int threads : THREADS) {
      xatm.put(threads, xatm(root.resolve("xatm-" + threads), threads, seconds));
    }
    Map<String, Map<Integer, Double>> narayana = new LinkedHashMap<>();
    Map<String, String> notes = new LinkedHashMap<>();
    for (String store : new String[] {"default", "journal"}) {
      narayana.put("Narayana " + store + " store", new LinkedHashMap<>());
      Path dir = root.resolve("narayana-" + store);
      peerChild(
          "Narayana " + store + " store",
          NarayanaBench.class,
          List.of(store, dir.toString()),
          dir,
          seconds,
          narayana.get("Narayana " + store + " store"),
          notes);
    }
    narayana.put("Atomikos 6", new LinkedHashMap<>());
    Path atomikosDir = root.resolve("atomikos");
    peerChild(
        "Atomikos 6",
        AtomikosBench.class,
        List.of(atomikosDir.toString()),
        atomikosDir,
        seconds,
        narayana.get("Atomikos 6"),
        notes);
    report(raw, xatm, narayana, notes);
  }

  /** 4 KiB write + force(false) on a preallocated file: what one fsync'd commit costs at best. */
  static double rawForceLoop(Path root, double seconds) throws IOException {
    Path file = root.resolve("raw-force.dat");
    long size = 64L * 1024 * 1024;
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocateDirect(1024 * 1024);
      for (long pos = 0; pos < size; pos += zeros.capacity()) {
        zeros.clear();
        ch.write(zeros, pos);
      }
      ch.force(true);
      ByteBuffer page = ByteBuffer.allocateDirect(4096);
      long n = 0;
      long pos = 0;
      long t0 = System.nanoTime();
      long end = t0 + (long) (seconds * 1e9);
      long now;
      do {
        page.clear();
        page.putLong(0, n);
        ch.write(page, pos);
        ch.force(false);
        pos = (pos + 4096) % size;
        n++;
        now = System.nanoTime();
      } while (now < end);
      return n / ((now - t0) / 1e9);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  static double xatm(Path dir, int threads, double seconds) throws Exception {
    XatmConfig config =
        XatmConfig.builder()
            .nodeId("bench")
            .logDir(dir)
            .durability(Durability.FSYNC)
            .installAsDefault(false)
            .build();
    try (XatmTransactionManager tm = XatmTransactionManager.start(config)) {
      InstantXAResource[][] res = new InstantXAResource[threads][];
      for (int t = 0; t < threads; t++) {
        res[t] = new InstantXAResource[] {new InstantXAResource("a"), new InstantXAResource("b")};
      }
      return Load.run(
          threads,
          1,
          seconds,
          t -> {
            tm.begin();
            tm.getTransaction().enlistResource(res[t][0]);
            tm.getTransaction().enlistResource(res[t][1]);
            tm.commit();
          });
    }
  }

  /** Runs a peer TM's benchmark in a child JVM (its configuration is JVM-global). */
  private static void peerChild(
      String label,
      Class<?> main,
      List<String> mainArgs,
      Path dir,
      double seconds,
      Map<Integer, Double> results,
      Map<String, String> notes)
      throws Exception {
    Files.createDirectories(dir);
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add(main.getName());
    cmd.addAll(mainArgs);
    cmd.add(Double.toString(seconds));
    for (int t : THREADS) {
      cmd.add(Integer.toString(t));
    }
    Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.txt").toFile()).start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        String[] f = line.split(" ", 4);
        switch (f[0]) {
          case "RESULT" -> results.put(Integer.parseInt(f[2]), Double.parseDouble(f[3]));
          case "STORE" -> notes.put(label, "store " + f[2]);
          case "UNAVAILABLE" -> notes.put(label, "unavailable: " + line);
          default -> System.out.println(label + ": " + line);
        }
      }
    }
    p.waitFor();
  }

  /** The test class path: from the class loader (exec:java) or java.class.path. */
  private static String classPath() throws URISyntaxException {
    List<String> entries = new ArrayList<>();
    for (ClassLoader cl = TmBench.class.getClassLoader(); cl != null; cl = cl.getParent()) {
      if (cl instanceof URLClassLoader u) {
        for (URL url : u.getURLs()) {
          entries.add(Path.of(url.toURI()).toString());
        }
      }
    }
    if (entries.isEmpty()) {
      return System.getProperty("java.class.path");
    }
    return String.join(File.pathSeparator, entries);
  }

  private static void report(
      double raw,
      Map<Integer, Double> xatm,
      Map<String, Map<Integer, Double>> narayana,
      Map<String, String> notes) {
    System.out.println("| measurement | 1 thread | 16 threads | 64 threads |");
    System.out.println("|---|---:|---:|---:|");
    System.out.printf("| raw floor: 4 KiB write + force(false), ops/s | %,.0f | | |%n", raw);
    System.out.printf(
        "| xatm 2PC (2 resources, Committing forced), tx/s | %,.0f | %,.0f | %,.0f |%n",
        xatm.get(1), xatm.get(16), xatm.get(64));
    for (var e : narayana.entrySet()) {
      Map<Integer, Double> r = e.getValue();
      if (r.isEmpty()) {
        System.out.printf("| %s, tx/s | n/a | n/a | n/a |%n", e.getKey());
      } else {
        System.out.printf(
            "| %s, tx/s | %,.0f | %,.0f | %,.0f |%n", e.getKey(), r.get(1), r.get(16), r.get(64));
      }
    }
    System.out.println();
    notes.forEach((k, v) -> System.out.println(k + ": " + v));
    double best1 = best(narayana, 1);
    double best16 = best(narayana, 16);
    System.out.println();
    System.out.println("| target | value | met |");
    System.out.println("|---|---:|---|");
    target("1 thread >= 0.7 x raw floor", xatm.get(1) / raw, "x raw", xatm.get(1) >= 0.7 * raw);
    target("16 threads >= 40,000 tx/s", xatm.get(16), "tx/s", xatm.get(16) >= 40_000);
    target("1 thread >= 3 x best peer", xatm.get(1) / best1, "x", xatm.get(1) >= 3 * best1);
    target("16 threads >= 3 x best peer", xatm.get(16) / best16, "x", xatm.get(16) >= 3 * best16);
  }

  private static void target(String name, double value, String unit, boolean met) {
    System.out.printf("| %s | %,.2f %s | %s |%n", name, value, unit, met ? "yes" : "NO");
  }

  private static double best(Map<String, Map<Integer, Double>> narayana, int threads) {
    return narayana.values().stream()
        .map(m -> m.getOrDefault(threads, 0.0))
        .max(Comparator.naturalOrder())
        .orElse(0.0);
  }

  private static void delete(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
