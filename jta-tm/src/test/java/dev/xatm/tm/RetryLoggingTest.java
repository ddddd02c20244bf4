package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.FakeXAResource.Op;
import dev.xatm.tm.testing.LogCapture;
import dev.xatm.tm.testing.TestTm;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;

/**
 * Logs an operator can read (issue 14): a commit that is not confirmed after the decision, and
 * every background retry of it, is one line at WARNING with the failure summarised on it and no
 * stack trace; the stack is a second record at DEBUG (JUL FINE) for whoever enables it. Before, a
 * torture run printed 4,303 stack-trace lines: every retry printed the driver's full stack.
 */
class RetryLoggingTest {
  private static final String LOGGERS = "dev.xatm.tm.internal";

  @Test
  void aRetriedCommitLogsOneLinePerAttemptWithoutAStackAboveDebug() throws Exception {
    try (TestTm t = new TestTm();
        LogCapture capture = LogCapture.of(LOGGERS)) {
      FakeXAResource a = t.resource("a");
      FakeXAResource b =
          t.resource("b")
              .script(
                  Op.COMMIT,
                  XAException.XAER_RMFAIL,
                  XAException.XAER_RMFAIL,
                  XAException.XAER_RMFAIL);
      XatmTransactionManager tm = t.tm;
      tm.begin();
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(b);
      tm.commit(); // decided; b's commit fails and is retried in the background
      for (int i = 0; i < 10 && tm.pendingRetries() > 0; i++) {
        t.scheduler.advanceAndRun(Duration.ofMinutes(1)); // past any back-off
      }
      assertEquals(0, tm.pendingRetries(), "b confirmed in the end");

      List<LogCapture.Line> shown = capture.atInfoOrAbove();
      shown.forEach(l -> System.out.println("RetryLoggingTest: " + l));
      List<LogCapture.Line> warnings =
          shown.stream().filter(l -> l.level().intValue() >= Level.WARNING.intValue()).toList();
      // The first commit (unconfirmed) and two failed retries; the third retry confirms.
      assertEquals(3, warnings.size(), "one WARNING per failed attempt: " + shown);
      assertTrue(warnings.get(0).message().contains("retrying in the background"), "" + warnings);
      assertTrue(warnings.get(1).message().startsWith("retry 1 of commit of "), "" + warnings);
      assertTrue(warnings.get(2).message().startsWith("retry 2 of commit of "), "" + warnings);
      for (LogCapture.Line w : warnings) {
        assertNull(w.thrown(), "a stack at WARNING: " + w);
        assertTrue(w.message().contains("XAER_RMFAIL"), w.message());
        assertTrue(!w.message().contains("\n"), "one line: " + w.message());
      }
      long confirmed =
          shown.stream()
              .filter(l -> l.level() == Level.INFO && l.message().contains("(retry 3)"))
              .count();
      assertEquals(1, confirmed, "the confirming attempt is one INFO line: " + shown);
      for (LogCapture.Line l : shown) {
        assertNull(l.thrown(), "a stack at INFO or above: " + l);
      }

      // The stacks are there at DEBUG (FINE), one per failed attempt, each a record of its own.
      List<LogCapture.Line> stacks =
          capture.lines().stream()
              .filter(l -> l.level() == Level.FINE && l.thrown() != null)
              .toList();
      assertEquals(3, stacks.size(), "" + capture.lines());
      assertTrue(stacks.get(0).thrown() instanceof XAException, "" + stacks.get(0));
    }
  }
}
