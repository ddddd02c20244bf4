package dev.xatm.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.support.PostgresServer;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.LogState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The crash matrix (issue 4): a TM in a child JVM moves money between two databases and halts at
 * one protocol step; a new TM on the same log recovers; then I1–I4 hold, neither database holds a
 * prepared Xid of the node, and the money total is unchanged. Each cell also checks, right after
 * the crash and before recovery, that the crash happened where it was meant to (log and database
 * state of the transaction that halted).
 *
 * <p>Seeded: {@code -Dxatm.seed=<n>} replays a run (the seed is printed); one cell: {@code
 * -Dit.test='CrashMatrixIT#cell'} runs them all, the display name filters in the IDE.
 */
class CrashMatrixIT {
  private static final long SEED = Long.getLong("xatm.seed", System.nanoTime());
  private static PostgresServer pg;

  /** The protocol step the TM dies at. */
  enum Step {
    BEFORE_PREPARE("BEFORE_PREPARE", 0),
    AFTER_PREPARE_OF_BRANCH_1("AFTER_PREPARE", 1),
    AFTER_COMMITTING_DURABLE("AFTER_COMMITTING_DURABLE", 0),
    AFTER_COMMIT_OF_BRANCH_1("AFTER_COMMIT", 1),
    BEFORE_END("BEFORE_END", 0),
    DURING_RECOVERY("AFTER_COMMITTING_DURABLE", 0);

    final String failpoint;
    final int branch;

    Step(String failpoint, int branch) {
      this.failpoint = failpoint;
      this.branch = branch;
    }
  }

  @BeforeAll
  static void servers() throws SQLException {
    System.out.println("CrashMatrixIT seed=" + SEED + " (rerun with -Dxatm.seed=" + SEED + ")");
    pg = PostgresServer.shared();
    for (Bank.Pair pair : Bank.Pair.values()) {
      Bank.on(pair, pg, dbPrefix(pair)).recreate();
    }
  }

  private static String dbPrefix(Bank.Pair pair) {
    return pair == Bank.Pair.PG_PG ? "xatm_crash_pp" : "xatm_crash_pm";
  }

  static Stream<Arguments> cells() {
    List<Arguments> cells = new ArrayList<>();
    for (Step step : Step.values()) {
      for (Bank.Pair pair : Bank.Pair.values()) {
        cells.add(Arguments.of(step, pair));
      }
    }
    return cells.stream();
  }

  @ParameterizedTest(name = "crash {0} x {1}")
  @MethodSource("cells")
  void cell(Step step, Bank.Pair pair) throws Exception {
    long seed = SEED ^ (step.ordinal() * 16L + pair.ordinal());
    Random random = new Random(seed);
    Bank bank = Bank.on(pair, pg, dbPrefix(pair));
    bank.reset();
    String node =
        "crash-" + step.ordinal() + pair.ordinal() + "-" + Long.toHexString(seed & 0xffff);
    Path log = Files.createTempDirectory("xatm-crash-" + step);
    System.out.printf("cell %s x %s: node %s, seed %d, log %s%n", step, pair, node, seed, log);

    Map<String, String> args = CrashRig.workloadArgs(bank, log, node, seed);
    args.put("failpoint", step.failpoint);
    args.put("branch", Integer.toString(step.branch));
    if (step == Step.DURING_RECOVERY) {
      // Twelve transactions stay decided at AFTER_COMMITTING_DURABLE (parked), the twelfth hit
      // halts: recovery then has 24 prepared branches to commit, long enough to be killed mid-way.
      args.put("threads", "12");
      args.put("park", "true");
      args.put("hit", "12");
    } else {
      args.put("threads", "3");
      args.put("hit", Integer.toString(5 + random.nextInt(20)));
    }
    Transcript t;
    try (WorkloadProcess p = WorkloadProcess.start(node, args)) {
      t = CrashRig.awaitHalt(p, 60_000);
    }
    LogState crashed = CrashLog.read(log);
    System.out.println("after the crash: " + t + "; log " + crashed);
    assertCrashedWhereMeant(step, bank, node, t, crashed);

    if (step == Step.DURING_RECOVERY) {
      killRecoveryMidPass(bank, log, node);
    }
    CrashRig.recoverInProcess(bank, log, node);
    CrashRig.assertInvariants(bank, List.of(new Invariants.NodeRun(node, t, crashed)));
    CrashRig.assertLogConverged(log);
  }

  /** The log and the databases show the transaction that halted exactly at its step. */
  private static void assertCrashedWhereMeant(
      Step step, Bank bank, String node, Transcript t, LogState crashed) throws SQLException {
    Transcript.Halt h = t.halt().orElseThrow();
    Gtrid g = h.gtrid();
    String id =
        t.begun().entrySet().stream()
            .filter(e -> e.getValue().equals(g))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no BEGIN for the halted " + g));
    assertFalse(t.acked().contains(id), "the halted transfer cannot have been acknowledged");
    List<XatmXid> preparedA = bank.a().preparedOf(node);
    List<XatmXid> preparedB = bank.b().preparedOf(node);
    boolean aPrepared = preparedA.contains(new XatmXid(g, 1));
    boolean bPrepared = preparedB.contains(new XatmXid(g, 2));
    boolean aCommitted = bank.a().transfers().containsKey(id);
    boolean bCommitted = bank.b().transfers().containsKey(id);
    String state =
        g
            + " A prepared/committed="
            + aPrepared
            + "/"
            + aCommitted
            + " B="
            + bPrepared
            + "/"
            + bCommitted;
    System.out.println("halted transaction before recovery: " + state);
    switch (step) {
      case BEFORE_PREPARE -> {
        assertTrue(crashed.loggedOutcome(g).isEmpty(), "no Committing before prepare: " + state);
        assertFalse(aCommitted || bCommitted, state);
      }
      case AFTER_PREPARE_OF_BRANCH_1 -> {
        assertTrue(crashed.loggedOutcome(g).isEmpty(), "no Committing yet: " + state);
        assertTrue(aPrepared, "branch 1 is prepared: " + state);
        assertFalse(aCommitted || bCommitted, state);
      }
      case AFTER_COMMITTING_DURABLE, DURING_RECOVERY -> {
        assertTrue(crashed.decided().containsKey(g), "Committing durable, no End: " + state);
        assertTrue(aPrepared && bPrepared, "no commit sent yet: " + state);
        for (Transcript.Halt parked : t.parked()) {
          assertTrue(crashed.decided().containsKey(parked.gtrid()), parked + " decided");
        }
      }
      case AFTER_COMMIT_OF_BRANCH_1 -> {
        assertTrue(crashed.decided().containsKey(g), "decided, no End: " + state);
        assertTrue(aCommitted && !aPrepared, "branch 1 committed: " + state);
      }
      case BEFORE_END -> {
        assertTrue(crashed.decided().containsKey(g), "decided, no End: " + state);
        assertTrue(aCommitted && bCommitted, "every branch committed: " + state);
        assertFalse(aPrepared || bPrepared, state);
      }
    }
  }

  /**
   * Starts a recovering TM in a child and SIGKILLs it as soon as side A's count of prepared
   * branches of the node drops (recovery has started committing), then checks that the kill did
   * land mid-pass: some branches resolved, some still prepared.
   */
  private static void killRecoveryMidPass(Bank bank, Path log, String node) throws Exception {
    int before = bank.a().preparedOf(node).size() + bank.b().preparedOf(node).size();
    int beforeA = bank.a().preparedOf(node).size();
    try (Connection c = bank.a().connect();
        PreparedStatement ps =
            c.prepareStatement(
                "select count(*) from pg_prepared_xacts where database = current_database()");
        WorkloadProcess r =
            WorkloadProcess.start(node + "-recovery", CrashRig.recoverArgs(bank, log, node))) {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (true) {
        int n;
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          n = rs.getInt(1);
        }
        if (n < beforeA) {
          r.kill();
          break;
        }
        if (System.nanoTime() > deadline || r.count(l -> l.startsWith("READY")) > 0) {
          r.kill();
          throw new AssertionError(
              "the recovering TM started without resolving anything on side A; " + r.tail());
        }
      }
    }
    int after = bank.a().preparedOf(node).size() + bank.b().preparedOf(node).size();
    System.out.printf(
        "recovering TM killed mid-pass: %d of %d prepared branches were left%n", after, before);
    assertTrue(after > 0 && after < before, "the kill landed mid-pass: " + after + "/" + before);
    assertEquals(before, 24, "12 decided transactions of two branches each");
  }
}
