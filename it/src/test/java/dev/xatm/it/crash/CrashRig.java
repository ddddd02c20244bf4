package dev.xatm.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The moves every crash test makes: start a workload child against a {@link Bank}, let it die, read
 * its log, start a recovering TM on the same log, check the invariants.
 */
public final class CrashRig {
  private CrashRig() {}

  /** Arguments of a transfer workload of {@code node} on {@code log} against {@code bank}. */
  public static Map<String, String> workloadArgs(Bank bank, Path log, String node, long seed) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("log", log.toString());
    a.put("node", node);
    a.put("seed", Long.toString(seed));
    a.put("a.url", bank.a().xaUrl());
    a.put("a.user", bank.a().user());
    a.put("a.password", bank.a().password());
    a.put("b.url", bank.b().xaUrl());
    a.put("b.user", bank.b().user());
    a.put("b.password", bank.b().password());
    return a;
  }

  /** Arguments of a child that only starts a recovering TM and waits to be killed. */
  public static Map<String, String> recoverArgs(Bank bank, Path log, String node) {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("mode", "recover");
    a.put("log", log.toString());
    a.put("node", node);
    a.putAll(bank.recoveryProperties());
    return a;
  }

  /** The configuration of a TM that recovers {@code node}'s log with both sides configured. */
  public static XatmConfig recoveringConfig(Bank bank, Path log, String node) {
    XatmConfig.Builder b =
        XatmConfig.builder()
            .nodeId(node)
            .logDir(log)
            .archiveDir(CrashLog.archiveOf(log)) // the invariant checks read the whole history
            .segmentSize(CrashLog.SEGMENT_SIZE)
            .installAsDefault(false);
    bank.recoveryProperties().forEach(b::recovery);
    b.recovery("xatm.recovery.interval", "0");
    return b.build();
  }

  /**
   * Starts a TM on the crashed log (its start runs the startup recovery pass), checks the startup
   * report resolved everything, runs a second pass (idempotence: nothing left to do), and closes
   * the TM. Returns the startup report.
   */
  public static RecoveryReport recoverInProcess(Bank bank, Path log, String node) throws Exception {
    long t0 = System.nanoTime();
    try (XatmTransactionManager tm =
        XatmTransactionManager.start(recoveringConfig(bank, log, node))) {
      long ms = (System.nanoTime() - t0) / 1_000_000;
      RecoveryReport startup = tm.recovery().lastReport();
      System.out.printf("recovering TM %s started in %d ms; %s%n", tm, ms, startup);
      assertFalse(startup.unresolved(), () -> "startup pass left work: " + startup);
      RecoveryReport second = tm.recovery().runPass();
      System.out.println("second pass: " + second.summary());
      assertFalse(second.unresolved(), second::toString);
      for (RecoveryLine l : second.lines()) {
        assertTrue(
            l.action() != RecoveryAction.COMMIT && l.action() != RecoveryAction.ROLLBACK,
            () -> "the second pass still had work: " + l);
      }
      assertTrue(tm.recovery().inDoubt().isEmpty(), () -> "in doubt: " + tm.recovery().inDoubt());
      return startup;
    }
  }

  /** Waits for a child that must halt itself at its failpoint; fails on any other exit. */
  public static Transcript awaitHalt(WorkloadProcess p, long timeoutMillis)
      throws InterruptedException {
    int status = p.awaitExit(timeoutMillis);
    Transcript t = p.transcript();
    assertEquals(
        CrashWorkload.HALT_STATUS,
        status,
        () -> "the workload did not halt at its failpoint; " + p.tail());
    assertTrue(t.halt().isPresent(), () -> "no HALT line; " + p.tail());
    return t;
  }

  /** Checks I1–I4 and the money total; fails with every violation listed. */
  public static Invariants.Summary assertInvariants(Bank bank, List<Invariants.NodeRun> runs)
      throws Exception {
    Invariants.Summary s = Invariants.check(bank, runs);
    System.out.println("invariants: " + s);
    assertTrue(
        s.violations().isEmpty(),
        () -> s.violations().size() + " violations:\n  " + String.join("\n  ", s.violations()));
    assertEquals(Bank.initialTotal(), bank.total());
    return s;
  }

  /** After recovery every decided transaction of the log has its End. */
  public static void assertLogConverged(Path log) throws Exception {
    LogState after = CrashLog.read(log);
    assertTrue(
        after.decided().isEmpty(),
        () -> "decided transactions without End after recovery: " + after.decided().keySet());
  }
}
