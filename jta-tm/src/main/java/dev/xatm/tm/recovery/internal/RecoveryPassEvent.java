package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.recovery.RecoveryAction;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryResult;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JFR event: one recovery pass, from its report (docs/operations.md, "JFR events"; docs/recovery.md
 * for what the results mean). Committed where the report is produced, so its own duration is zero
 * and {@code passDuration} carries the pass's.
 */
@Name("dev.xatm.tm.RecoveryPass")
@Label("xatm Recovery Pass")
@Category({"xatm", "Recovery"})
@Description("A recovery pass: lines, actions taken, results, duration")
@StackTrace(false)
final class RecoveryPassEvent extends jdk.jfr.Event {
  @Label("Node")
  String nodeId;

  @Label("Background")
  @Description("A periodic pass (false: startup or an operator's runPass)")
  boolean background;

  @Label("Lines")
  @Description("Report lines: one per Xid or resource the pass looked at")
  int lines;

  @Label("Actions")
  @Description("Lines where the pass sent commit or rollback or wrote an End")
  int actions;

  @Label("Done")
  int done;

  @Label("Left Alone")
  int leftAlone;

  @Label("Foreign")
  int foreign;

  @Label("Heuristic")
  int heuristic;

  @Label("Not Confirmed")
  int notConfirmed;

  @Label("Unreachable")
  int unreachable;

  @Label("In Doubt")
  int inDoubt;

  @Label("Failed")
  int failed;

  @Label("Unresolved")
  @Description("Whether anything needs another pass or an operator")
  boolean unresolved;

  @Label("Pass Duration")
  @Timespan(Timespan.NANOSECONDS)
  long passDuration;

  static void emit(RecoveryReport report, boolean background) {
    RecoveryPassEvent e = new RecoveryPassEvent();
    if (!e.isEnabled()) {
      return;
    }
    e.nodeId = report.nodeId();
    e.background = background;
    e.lines = report.lines().size();
    for (RecoveryLine l : report.lines()) {
      RecoveryAction a = l.action();
      if (a == RecoveryAction.COMMIT
          || a == RecoveryAction.ROLLBACK
          || a == RecoveryAction.WRITE_END) {
        e.actions++;
      }
    }
    e.done = report.count(RecoveryResult.DONE);
    e.leftAlone = report.count(RecoveryResult.LEFT_ALONE);
    e.foreign = report.count(RecoveryResult.FOREIGN);
    e.heuristic = report.count(RecoveryResult.HEURISTIC);
    e.notConfirmed = report.count(RecoveryResult.NOT_CONFIRMED);
    e.unreachable = report.count(RecoveryResult.UNREACHABLE);
    e.inDoubt = report.count(RecoveryResult.IN_DOUBT);
    e.failed = report.count(RecoveryResult.FAILED);
    e.unresolved = report.unresolved();
    e.passDuration = report.duration().toNanos();
    e.commit();
  }
}
