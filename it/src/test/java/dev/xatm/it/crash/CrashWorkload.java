package dev.xatm.it.crash;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The child JVM of the crash tests: a transaction manager on a given log directory and node id that
 * moves money from side A to side B of a {@link Bank} through two {@code jdbc:xa:} pools, and dies
 * at a chosen {@link Failpoint} (or is SIGKILLed by the parent).
 *
 * <p>Arguments are {@code key=value}: {@code log}, {@code node}, {@code a.url}, {@code a.user},
 * {@code a.password}, {@code b.*} likewise, {@code threads}, {@code transfers} (per thread), {@code
 * seed}, {@code failpoint} (a {@link Failpoint} name or {@code none}), {@code hit} (the N-th hit
 * that halts), {@code branch} (0: any branch; otherwise only hits of that branch count), {@code
 * park} (true: hits before the N-th park their thread forever, so N-1 transactions stay at the
 * failpoint when the JVM halts), {@code accounts} (first account of this process; thread t uses
 * account {@code accounts + t} on both sides when {@code park} is set, random accounts otherwise),
 * {@code mode} ({@code transfer}, or {@code recover}: only start a TM with the {@code
 * xatm.recovery.*} arguments and stay up).
 *
 * <p>Protocol on stdout, one flushed line each: {@code READY <epoch>}, {@code BEGIN <transferId>
 * <gtrid>} before {@code commit()}, {@code ACK <transferId>} after it returned, {@code FAIL
 * <transferId> <exception>} when it threw, {@code HALT <failpoint> <gtrid> <branch>} just before
 * halting, {@code DONE} when every transfer was attempted.
 */
public final class CrashWorkload {
  /** Exit status of a halt at the failpoint (distinct from a SIGKILL's 137). */
  public static final int HALT_STATUS = 77;

  private static final PrintStream OUT = System.out;

  private CrashWorkload() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    String mode = a.getOrDefault("mode", "transfer");
    XatmConfig.Builder cb =
        XatmConfig.builder()
            .nodeId(a.get("node"))
            .logDir(Path.of(a.get("log")))
            .archiveDir(CrashLog.archiveOf(Path.of(a.get("log"))))
            .segmentSize(CrashLog.SEGMENT_SIZE)
            .parallelism(4)
            .installAsDefault(false);
    a.forEach(
        (k, v) -> {
          if (k.startsWith(XatmConfig.RECOVERY_PREFIX)) {
            cb.recovery(k, v);
          }
        });
    if (mode.equals("recover")) {
      try (XatmTransactionManager tm = XatmTransactionManager.start(cb.build())) {
        line("READY " + tm.epoch());
        LockSupport.park(); // the parent kills this process
      }
      return;
    }
    Failpoints fp = new Failpoints();
    String point = a.getOrDefault("failpoint", "none");
    if (!point.equals("none")) {
      fp.arm(
          Failpoint.valueOf(point),
          haltAt(
              Integer.parseInt(a.getOrDefault("hit", "1")),
              Integer.parseInt(a.getOrDefault("branch", "0")),
              Boolean.parseBoolean(a.getOrDefault("park", "false"))));
    }
    try (XatmTransactionManager tm =
        XatmTransactionManager.builder(cb.build()).failpoints(fp).start()) {
      XatmDataSource dsA = pool(tm, a, "a");
      XatmDataSource dsB = pool(tm, a, "b");
      line("READY " + tm.epoch());
      int threads = Integer.parseInt(a.getOrDefault("threads", "2"));
      int transfers = Integer.parseInt(a.getOrDefault("transfers", "1000"));
      long seed = Long.parseLong(a.getOrDefault("seed", "1"));
      boolean ownAccounts = Boolean.parseBoolean(a.getOrDefault("park", "false"));
      int firstAccount = Integer.parseInt(a.getOrDefault("accounts", "0"));
      String tag = a.get("node") + "-" + tm.epoch();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Random random = new Random(seed * 31 + t);
        Thread w =
            new Thread(
                () -> {
                  for (int i = 0; i < transfers; i++) {
                    int from = ownAccounts ? firstAccount + thread : random.nextInt(Bank.ACCOUNTS);
                    int to = ownAccounts ? firstAccount + thread : random.nextInt(Bank.ACCOUNTS);
                    long amount = 1 + random.nextInt(100);
                    transfer(tm, dsA, dsB, tag + "-" + thread + "-" + i, from, to, amount);
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
      line("DONE");
    }
  }

  /** One transfer, reported as BEGIN, then ACK or FAIL (also the cluster workload's). */
  public static void transfer(
      XatmTransactionManager tm,
      XatmDataSource dsA,
      XatmDataSource dsB,
      String id,
      int from,
      int to,
      long amount) {
    try {
      Gtrid gtrid = beginTransfer(tm, dsA, dsB, id, from, to, amount);
      line("BEGIN " + id + " " + CrashLog.gtridText(gtrid));
      tm.commit();
      line("ACK " + id);
    } catch (Exception e) {
      line("FAIL " + id + " " + e.toString().replace('\n', ' '));
      try {
        if (tm.getTransaction() != null) {
          tm.rollback();
        }
      } catch (Exception r) {
        line("FAIL " + id + " rollback: " + r.toString().replace('\n', ' '));
      }
    }
  }

  /**
   * Begins a transaction and does a transfer's work in it (A first, so A is branch 1), leaving the
   * commit to the caller; returns its gtrid.
   */
  public static Gtrid beginTransfer(
      XatmTransactionManager tm,
      XatmDataSource dsA,
      XatmDataSource dsB,
      String id,
      int from,
      int to,
      long amount)
      throws Exception {
    tm.begin();
    Gtrid gtrid = (Gtrid) tm.getTransactionKey();
    try (Connection ca = dsA.getConnection();
        Connection cb = dsB.getConnection()) {
      update(ca, "update accounts set balance = balance - ? where id = ?", amount, from);
      insert(ca, id, amount);
      update(cb, "update accounts set balance = balance + ? where id = ?", amount, to);
      insert(cb, id, amount);
    }
    return gtrid;
  }

  private static void update(Connection c, String sql, long amount, int account)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, amount);
      ps.setInt(2, account);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("no account " + account);
      }
    }
  }

  private static void insert(Connection c, String id, long amount) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("insert into transfers values (?, ?)")) {
      ps.setString(1, id);
      ps.setLong(2, amount);
      ps.executeUpdate();
    }
  }

  /**
   * Halts at the {@code n}-th counted hit; with {@code park}, earlier counted hits park their
   * thread forever (the transaction stays exactly at the failpoint until the halt).
   */
  static Failpoints.Action haltAt(int n, int branch, boolean park) {
    AtomicInteger hits = new AtomicInteger();
    return (point, gtrid, b) -> {
      if (branch != 0 && b != branch) {
        return;
      }
      int hit = hits.incrementAndGet();
      if (hit == n) {
        line("HALT " + point + " " + CrashLog.gtridText(gtrid) + " " + b);
        Runtime.getRuntime().halt(HALT_STATUS);
      } else if (park && hit < n) {
        line("PARKED " + point + " " + CrashLog.gtridText(gtrid) + " " + b);
        while (true) {
          LockSupport.park();
        }
      }
    };
  }

  private static XatmDataSource pool(XatmTransactionManager tm, Map<String, String> a, String side)
      throws SQLException {
    return pool(tm, a, side, 16);
  }

  /** A pool on side {@code side} ({@code a} or {@code b}) of the arguments' databases. */
  public static XatmDataSource pool(
      XatmTransactionManager tm, Map<String, String> a, String side, int size) throws SQLException {
    return XatmDataSource.builder()
        .url(a.get(side + ".url"))
        .user(a.get(side + ".user"))
        .password(a.getOrDefault(side + ".password", ""))
        .maxPoolSize(size)
        .acquireTimeout(Duration.ofSeconds(30))
        .runtime(tm)
        .build();
  }

  /** One line of the protocol the parent reads, flushed at once. */
  public static void line(String s) {
    synchronized (OUT) {
      OUT.println(s);
      OUT.flush();
    }
  }

  /** The {@code key=value} arguments. */
  public static Map<String, String> parse(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("expected key=value: " + arg);
      }
      m.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return m;
  }
}
