package dev.xatm.tm.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.xatm.tm.XatmTransactionManager;
import jakarta.transaction.Status;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link XatmTransactionManager#stopBackgroundWork()}: a container (the Spring Boot starter) stops
 * the background recovery passes before it closes the resources they use, while the TM still runs
 * transactions until it is closed.
 */
class StopBackgroundWorkTest {
  private final Rig rig = new Rig();

  @AfterEach
  void close() throws Exception {
    rig.close();
  }

  @Test
  void noBackgroundPassRunsAfterStopAndTransactionsStillWork() throws Exception {
    rig.resource("r1");
    rig.set(RecoveryConfig.INTERVAL, "10s");
    XatmTransactionManager tm = rig.start();
    RecoveryReport startup = tm.recovery().lastReport();
    rig.scheduler.advanceAndRun(Duration.ofSeconds(10));
    RecoveryReport background = tm.recovery().lastReport();
    assertNotSame(startup, background, "a background pass runs every interval");

    tm.stopBackgroundWork();
    rig.scheduler.advanceAndRun(Duration.ofMinutes(5));
    assertSame(background, tm.recovery().lastReport(), "no background pass after the stop");

    tm.begin();
    assertEquals(Status.STATUS_ACTIVE, tm.getStatus());
    tm.commit();
    tm.stopBackgroundWork(); // idempotent
  }
}
