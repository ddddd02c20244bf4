package dev.xatm.it.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.it.crash.Bank;
import dev.xatm.it.crash.CrashLog;
import dev.xatm.it.crash.CrashRig;
import dev.xatm.it.crash.Invariants;
import dev.xatm.it.crash.Transcript;
import dev.xatm.it.crash.WorkloadProcess;
import dev.xatm.it.support.PostgresServer;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two TMs with different node ids, one a prefix of the other ({@code rcv1} and {@code rcv10}),
 * crash with prepared branches in the same PostgreSQL and MariaDB databases: {@code rcv1} with
 * three decided transactions (recovery commits them), {@code rcv10} with three undecided ones
 * (presumed abort). Recovering one node resolves exactly its own Xids; the other node's stay
 * prepared, byte for byte the same set, until its own TM recovers them. Run in both orders, so
 * neither direction of a prefix match can hide.
 */
class TwoNodesRecoveryIT {
  private static final String N1 = "rcv1";
  private static final String N10 = "rcv10";
  private static Bank bank;

  @BeforeAll
  static void servers() throws Exception {
    bank = Bank.on(Bank.Pair.PG_MARIADB, PostgresServer.shared(), "xatm_crash_2n").recreate();
  }

  private record Crashed(String node, Path log, Transcript transcript, LogState state) {}

  private static Crashed crash(String node, String failpoint, int firstAccount) throws Exception {
    Path log = Files.createTempDirectory("xatm-" + node);
    Map<String, String> args = CrashRig.workloadArgs(bank, log, node, 7);
    args.put("threads", "3");
    args.put("park", "true");
    args.put("hit", "3");
    args.put("failpoint", failpoint);
    args.put("accounts", Integer.toString(firstAccount));
    Transcript t;
    try (WorkloadProcess p = WorkloadProcess.start(node, args)) {
      t = CrashRig.awaitHalt(p, 60_000);
    }
    return new Crashed(node, log, t, CrashLog.read(log));
  }

  private static Set<XatmXid> prepared(String node) throws Exception {
    Set<XatmXid> s = new HashSet<>(bank.a().preparedOf(node));
    s.addAll(bank.b().preparedOf(node));
    return s;
  }

  @ParameterizedTest(name = "recover {0} first")
  @ValueSource(strings = {N1, N10})
  void eachNodeRecoversOnlyItsOwnXids(String first) throws Exception {
    bank.reset();
    Crashed n1 = crash(N1, "AFTER_COMMITTING_DURABLE", 0);
    Crashed n10 = crash(N10, "BEFORE_COMMITTING_DURABLE", 10);
    assertEquals(3, n1.state().decided().size(), "rcv1: three decided transactions");
    assertTrue(n10.state().decided().isEmpty(), "rcv10: nothing decided");
    Set<XatmXid> before1 = prepared(N1);
    Set<XatmXid> before10 = prepared(N10);
    assertEquals(6, before1.size(), before1::toString);
    assertEquals(6, before10.size(), before10::toString);

    Crashed a = first.equals(N1) ? n1 : n10;
    Crashed b = first.equals(N1) ? n10 : n1;
    Set<XatmXid> otherBefore = first.equals(N1) ? before10 : before1;
    RecoveryReport r = CrashRig.recoverInProcess(bank, a.log(), a.node());
    assertTrue(prepared(a.node()).isEmpty(), "the first node's Xids are resolved");
    assertEquals(otherBefore, prepared(b.node()), "the other node's Xids are untouched");
    List<String> touched = new ArrayList<>();
    for (RecoveryLine l : r.lines()) {
      if (l.xid().startsWith(b.node() + "/") && l.result().name().equals("DONE")) {
        touched.add(l.toString());
      }
    }
    assertTrue(touched.isEmpty(), () -> "resolved another node's Xids: " + touched);

    CrashRig.recoverInProcess(bank, b.log(), b.node());
    assertTrue(prepared(b.node()).isEmpty(), "the second node's Xids are resolved by its own TM");
    CrashRig.assertInvariants(
        bank,
        List.of(
            new Invariants.NodeRun(N1, n1.transcript(), n1.state()),
            new Invariants.NodeRun(N10, n10.transcript(), n10.state())));
    assertEquals(3, bank.a().transfers().size(), "rcv1's three decided transfers, no others");
    CrashRig.assertLogConverged(n1.log());
    CrashRig.assertLogConverged(n10.log());
  }
}
