package dev.xatm.it.crash;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.support.PostgresServer;
import dev.xatm.tm.log.LogState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGKILL at a random moment (not at a failpoint): the workload runs four threads of transfers and
 * the parent kills it after a seeded number of BEGIN lines plus a seeded delay, so the kill falls
 * anywhere in the protocol, including inside the log's group commit. A new TM recovers; I1–I4 and
 * the money total hold. A few bounded rounds, alternating PG+PG and PG+MariaDB; the seed is printed
 * ({@code -Dxatm.seed=<n>} replays the choice of moments).
 */
class RandomKillIT {
  private static final long SEED = Long.getLong("xatm.seed", System.nanoTime());
  private static final int ROUNDS = 4;
  private static PostgresServer pg;

  @BeforeAll
  static void servers() throws Exception {
    System.out.println("RandomKillIT seed=" + SEED + " (rerun with -Dxatm.seed=" + SEED + ")");
    pg = PostgresServer.shared();
    for (Bank.Pair pair : Bank.Pair.values()) {
      Bank.on(pair, pg, prefix(pair)).recreate();
    }
  }

  private static String prefix(Bank.Pair pair) {
    return pair == Bank.Pair.PG_PG ? "xatm_crash_rk_pp" : "xatm_crash_rk_pm";
  }

  @Test
  void sigkillAtRandomMomentsThenRecover() throws Exception {
    Random random = new Random(SEED);
    for (int round = 0; round < ROUNDS; round++) {
      Bank.Pair pair = Bank.Pair.values()[round % 2];
      Bank bank = Bank.on(pair, pg, prefix(pair));
      bank.reset();
      String node = "crash-rk" + round + "-" + Long.toHexString(SEED & 0xfff);
      Path log = Files.createTempDirectory("xatm-rk");
      int begins = 3 + random.nextInt(40);
      int delayMillis = random.nextInt(25);
      Map<String, String> args = CrashRig.workloadArgs(bank, log, node, SEED + round);
      args.put("threads", "4");
      Transcript t;
      try (WorkloadProcess p = WorkloadProcess.start(node, args)) {
        p.awaitLines(l -> l.startsWith("BEGIN "), begins, 60_000);
        Thread.sleep(delayMillis); // the moment of the kill is the point of this test
        p.kill();
        t = p.transcript();
      }
      assertTrue(!t.done(), "the workload was killed before it finished");
      LogState crashed = CrashLog.read(log);
      System.out.printf(
          "round %d %s: SIGKILL after %d BEGIN lines + %d ms: %s; log %s%n",
          round, pair, begins, delayMillis, t, crashed);
      CrashRig.recoverInProcess(bank, log, node);
      CrashRig.assertInvariants(bank, List.of(new Invariants.NodeRun(node, t, crashed)));
      CrashRig.assertLogConverged(log);
    }
  }
}
