package dev.xatm.it.cluster;

import dev.xatm.it.crash.Bank;
import dev.xatm.it.crash.CrashLog;
import dev.xatm.it.crash.CrashWorkload;
import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of the cluster tests: a TM in the cluster mode (node id, own log directory, the
 * shared cluster database, short leases) that moves money from side A to side B of a {@link Bank}
 * until its stop file appears, then closes the TM (releasing its lease) and prints {@code DONE}.
 *
 * <p>Arguments are {@code key=value}: {@code log}, {@code node}, {@code cluster.url}, {@code
 * a.url}, {@code a.user}, {@code a.password}, {@code b.*} likewise, every {@code xatm.recovery.*}
 * and {@code xatm.cluster.*} setting (passed through), {@code threads}, {@code pause} (ms between
 * two transfers of a thread), {@code seed}, {@code stop} (the stop file), {@code failpoint} (a
 * {@link Failpoint} name or {@code none}: its first hit prints {@code HALT <point> <gtrid>
 * <branch>} and parks that thread forever, and every later transfer parks before it begins, so the
 * parent can SIGKILL the process exactly there).
 *
 * <p>Prints the {@link CrashWorkload} protocol: {@code READY <epoch>}, {@code BEGIN <id> <gtrid>},
 * {@code ACK <id>}, {@code FAIL <id> <exception>}, {@code HALT ...}, {@code DONE}.
 */
public final class ClusterWorkload {
  private static final AtomicBoolean halted = new AtomicBoolean();

  private ClusterWorkload() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = CrashWorkload.parse(args);
    XatmConfig.Builder cb =
        XatmConfig.builder()
            .nodeId(a.get("node"))
            .logDir(Path.of(a.get("log")))
            .archiveDir(CrashLog.archiveOf(Path.of(a.get("log"))))
            .segmentSize(CrashLog.SEGMENT_SIZE)
            .parallelism(4)
            .installAsDefault(false)
            .jmxEnabled(false);
    cb.cluster("xatm.cluster.url", a.get("cluster.url"));
    a.forEach(
        (k, v) -> {
          if (k.startsWith(XatmConfig.RECOVERY_PREFIX)) {
            cb.recovery(k, v);
          } else if (k.startsWith("xatm.cluster.")) {
            cb.cluster(k, v);
          }
        });
    Failpoints fp = new Failpoints();
    String point = a.getOrDefault("failpoint", "none");
    if (!point.equals("none")) {
      fp.arm(Failpoint.valueOf(point), ClusterWorkload::haltHere);
    }
    Path stop = Path.of(a.get("stop"));
    Path hold = Path.of(a.getOrDefault("hold", a.get("stop") + ".hold"));
    try (XatmTransactionManager tm =
        XatmTransactionManager.builder(cb.build()).failpoints(fp).start()) {
      XatmDataSource dsA = CrashWorkload.pool(tm, a, "a", 8);
      XatmDataSource dsB = CrashWorkload.pool(tm, a, "b", 8);
      CrashWorkload.line("READY " + tm.epoch());
      int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
      long pause = Long.parseLong(a.getOrDefault("pause", "20"));
      long seed = Long.parseLong(a.getOrDefault("seed", "1"));
      String tag = a.get("node") + "-" + tm.epoch();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Random random = new Random(seed * 31 + t);
        Thread w =
            new Thread(
                () -> {
                  for (int i = 0; !Files.exists(stop); i++) {
                    while (halted.get()) {
                      LockSupport.park(); // about to be killed: nothing more may begin
                    }
                    awaitNoHold(hold);
                    CrashWorkload.transfer(
                        tm,
                        dsA,
                        dsB,
                        tag + "-" + thread + "-" + i,
                        random.nextInt(Bank.ACCOUNTS),
                        random.nextInt(Bank.ACCOUNTS),
                        1 + random.nextInt(100));
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pause));
                  }
                },
                "transfer-" + t);
        w.start();
        workers.add(w);
      }
      for (Thread w : workers) {
        w.join();
      }
      dsA.close();
      dsB.close();
    }
    CrashWorkload.line("DONE");
  }

  /** While the hold file exists, begins nothing; says {@code IDLE} once per hold. */
  private static void awaitNoHold(Path hold) {
    boolean said = false;
    while (Files.exists(hold)) {
      if (!said) {
        CrashWorkload.line("IDLE " + Thread.currentThread().getName());
        said = true;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
  }

  private static void haltHere(Failpoint point, Gtrid gtrid, int branch) {
    if (!halted.compareAndSet(false, true)) {
      return; // another thread got there first; this one is not the halted transaction
    }
    CrashWorkload.line("HALT " + point + " " + CrashLog.gtridText(gtrid) + " " + branch);
    while (true) {
      LockSupport.park(); // the parent SIGKILLs this process now
    }
  }
}
