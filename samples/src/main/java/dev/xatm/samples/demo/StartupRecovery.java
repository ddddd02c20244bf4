package dev.xatm.samples.demo;

import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryReport;

/**
 * Prints what the transaction manager found in its log at start and what its startup recovery pass
 * (run inside {@code start}, before the TM accepts transactions) did about it.
 */
final class StartupRecovery {
  private StartupRecovery() {}

  /**
   * @return whether the startup pass left anything unresolved
   */
  static boolean print(XatmTransactionManager tm) {
    LogState found = tm.startupLogState();
    if (found.decided().isEmpty()) {
      System.out.println("  the log holds no decided-but-unfinished transaction");
    }
    for (LogState.DecidedTransaction d : found.decided().values()) {
      System.out.println(
          "  the log holds a decided-but-unfinished transaction: "
              + d.gtrid()
              + " (Committing written, no End; "
              + d.branches().size()
              + " branches)");
    }
    RecoveryReport report = tm.recovery().lastReport();
    if (report == null) {
      System.out.println("  no recovery pass has run (startup recovery is switched off)");
      return false;
    }
    System.out.println("  startup " + report.summary());
    for (RecoveryLine line : report.lines()) {
      System.out.println("    " + line);
    }
    return report.unresolved();
  }
}
