package dev.xatm.samples.demo;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import java.util.List;

/**
 * Prints the steps of two-phase commit as the coordinator passes them. It hooks the {@link
 * Failpoint}s of the demo's own transaction manager instance with actions that only print (and, in
 * crash mode, one that halts the JVM), so what the demo says is what the coordinator did, in the
 * order it did it.
 *
 * <p>Thread-safe: prepares and commits of several branches run in parallel on the TM's phase
 * threads; each line is printed whole.
 */
final class ProtocolNarrator {
  private final List<String> branchNames;

  /**
   * @param branchNames names of the branches in enlistment order (xatm numbers branches from 1 in
   *     the order the resources enlisted)
   */
  ProtocolNarrator(List<String> branchNames) {
    this.branchNames = List.copyOf(branchNames);
  }

  /** Failpoints that narrate; with {@code crash}, the JVM halts once the decision is durable. */
  Failpoints failpoints(boolean crash) {
    Failpoints fp = new Failpoints();
    fp.arm(Failpoint.BEFORE_PREPARE, (p, g, b) -> say("  prepare " + branch(b) + " ..."));
    fp.arm(
        Failpoint.AFTER_PREPARE,
        (p, g, b) -> say("  " + branch(b) + " is prepared: its vote came back"));
    fp.arm(
        Failpoint.BEFORE_COMMITTING_DURABLE,
        (p, g, b) ->
            say(
                "  every branch voted to commit: writing the decision (Committing "
                    + g
                    + ") to the log and forcing it to disk"));
    fp.arm(
        Failpoint.AFTER_COMMITTING_DURABLE,
        (p, g, b) -> {
          say("  the commit decision is durable: from here on the transfer WILL happen");
          if (crash) {
            crash(g);
          }
        });
    fp.arm(Failpoint.BEFORE_COMMIT, (p, g, b) -> say("  commit " + branch(b) + " ..."));
    fp.arm(Failpoint.AFTER_COMMIT, (p, g, b) -> say("  " + branch(b) + " committed"));
    fp.arm(
        Failpoint.AFTER_END,
        (p, g, b) ->
            say(
                "  End record appended to the log: "
                    + g
                    + " is finished (End needs no fsync: without it, recovery would only find"
                    + " nothing left to commit)"));
    return fp;
  }

  private static void crash(Gtrid g) {
    say("");
    say("  *** CRASH: halting the JVM now (Runtime.halt: no shutdown hooks, no cleanup).");
    say("  *** Both banks hold a PREPARED branch of " + g + "; nothing has been committed.");
    say("  *** Run ./demo recover (or just ./demo) to see recovery finish the transfer.");
    System.out.flush();
    Runtime.getRuntime().halt(TransferDemo.CRASH_EXIT_STATUS);
  }

  private String branch(int b) {
    return b >= 1 && b <= branchNames.size()
        ? "branch " + b + " (" + branchNames.get(b - 1) + ")"
        : "branch " + b;
  }

  private static void say(String line) {
    System.out.println(line);
  }
}
