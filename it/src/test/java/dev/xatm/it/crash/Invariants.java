package dev.xatm.it.crash;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.LogState;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The checks after every crash test (DESIGN §2), made against the databases directly and the log
 * state read right after the crash:
 *
 * <ul>
 *   <li>I1 every acknowledged transfer is committed on both sides (its row in both {@code
 *       transfers} tables), and its gtrid has a Committing in the log;
 *   <li>I2 a transfer whose gtrid had no durable Committing has its row on neither side;
 *   <li>I3 a transfer whose gtrid had a durable Committing has its row on both sides;
 *   <li>I4 neither database holds a prepared Xid of the node;
 *   <li>money: the total over both sides is unchanged, and each side's balances moved by exactly
 *       the amounts of its committed transfers; no row exists that no workload began.
 * </ul>
 */
public final class Invariants {
  /**
   * One crashed TM: its node id, what its workload printed, and which of its gtrids had a durable
   * commit decision at the crash.
   */
  public record NodeRun(String nodeId, Transcript transcript, Predicate<Gtrid> decided) {
    /** The decisions are those of the log as read right after the crash. */
    public NodeRun(String nodeId, Transcript transcript, LogState logAfterCrash) {
      this(nodeId, transcript, g -> logAfterCrash.loggedOutcome(g).isPresent());
    }
  }

  /** What was found, for the test's printout. */
  public record Summary(int begun, int acked, int decided, int committed, List<String> violations) {
    @Override
    public String toString() {
      return "begun="
          + begun
          + " acked="
          + acked
          + " withCommitting="
          + decided
          + " committedInBothDbs="
          + committed
          + " violations="
          + violations.size();
    }
  }

  private Invariants() {}

  public static Summary check(Bank bank, List<NodeRun> runs) throws SQLException {
    Map<String, Long> inA = bank.a().transfers();
    Map<String, Long> inB = bank.b().transfers();
    List<String> v = new ArrayList<>();
    Set<String> known = new HashSet<>();
    int begun = 0;
    int acked = 0;
    int decided = 0;
    for (NodeRun run : runs) {
      Transcript t = run.transcript();
      for (Map.Entry<String, Gtrid> e : t.begun().entrySet()) {
        String id = e.getKey();
        Gtrid g = e.getValue();
        known.add(id);
        begun++;
        boolean committing = run.decided().test(g);
        boolean ack = t.acked().contains(id);
        boolean a = inA.containsKey(id);
        boolean b = inB.containsKey(id);
        if (committing) {
          decided++;
        }
        if (ack) {
          acked++;
          if (!a || !b) {
            v.add("I1: transfer " + id + " (" + g + ") was acknowledged but A=" + a + " B=" + b);
          }
          if (!committing) {
            v.add("I1: transfer " + id + " (" + g + ") was acknowledged without a Committing");
          }
        }
        if (!committing && (a || b)) {
          v.add(
              "I2: " + id + " (" + g + ") has no Committing but is committed: A=" + a + " B=" + b);
        }
        if (committing && !(a && b)) {
          v.add("I3: " + id + " (" + g + ") has a Committing but A=" + a + " B=" + b);
        }
        if (a && b && !inA.get(id).equals(inB.get(id))) {
          v.add("amounts differ for " + id + ": A=" + inA.get(id) + " B=" + inB.get(id));
        }
      }
      for (Bank.Side s : bank.sides()) {
        List<XatmXid> left = s.preparedOf(run.nodeId());
        if (!left.isEmpty()) {
          v.add("I4: " + s + " still holds prepared Xids of " + run.nodeId() + ": " + left);
        }
      }
    }
    for (String id : inA.keySet()) {
      if (!known.contains(id)) {
        v.add("A holds transfer " + id + " that no workload began");
      }
    }
    for (String id : inB.keySet()) {
      if (!known.contains(id)) {
        v.add("B holds transfer " + id + " that no workload began");
      }
    }
    long sumA = bank.a().balanceSum();
    long sumB = bank.b().balanceSum();
    long movedA = inA.values().stream().mapToLong(Long::longValue).sum();
    long movedB = inB.values().stream().mapToLong(Long::longValue).sum();
    long start = Bank.ACCOUNTS * Bank.INITIAL_BALANCE;
    if (sumA + sumB != Bank.initialTotal()) {
      v.add("money: total is " + (sumA + sumB) + ", expected " + Bank.initialTotal());
    }
    if (sumA != start - movedA) {
      v.add("money: A balances " + sumA + " but its transfers say " + (start - movedA));
    }
    if (sumB != start + movedB) {
      v.add("money: B balances " + sumB + " but its transfers say " + (start + movedB));
    }
    int committed = 0;
    for (String id : known) {
      if (inA.containsKey(id) && inB.containsKey(id)) {
        committed++;
      }
    }
    return new Summary(begun, acked, decided, committed, v);
  }
}
