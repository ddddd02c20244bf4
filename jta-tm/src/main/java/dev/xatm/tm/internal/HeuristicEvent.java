package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.HeuristicOutcome;
import java.util.HexFormat;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR event: a resource reported a heuristic outcome for a branch and the TM logged it durably
 * (docs/operations.md, "JFR events"), from a commit or from recovery.
 */
@Name("dev.xatm.tm.Heuristic")
@Label("xatm Heuristic Outcome")
@Category({"xatm", "Transactions"})
@Description("A heuristic outcome a resource reported for a branch, logged before forget")
@StackTrace(false)
final class HeuristicEvent extends jdk.jfr.Event {
  @Label("Gtrid")
  String gtrid;

  @Label("Resource")
  @Description("The resource id of the branch (null: the resource did not identify itself)")
  String resourceId;

  @Label("Branch Qualifier")
  @Description("The branch qualifier in hex")
  String bqual;

  @Label("Outcome")
  @Description("What the resource reported: COMMITTED, ROLLED_BACK, MIXED or HAZARD")
  String outcome;

  static void emit(Gtrid gtrid, Branch branch, HeuristicOutcome outcome) {
    HeuristicEvent e = new HeuristicEvent();
    if (e.isEnabled()) {
      e.gtrid = gtrid.toString();
      e.resourceId = branch.resourceId();
      e.bqual = HexFormat.of().formatHex(branch.bqual());
      e.outcome = outcome.name();
      e.commit();
    }
  }
}
