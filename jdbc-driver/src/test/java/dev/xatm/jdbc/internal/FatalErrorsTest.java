package dev.xatm.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FatalErrorsTest {
  @Test
  void connectionLossIsFatal() {
    assertTrue(FatalErrors.isFatal(new SQLException("io", "08006")));
    assertTrue(FatalErrors.isFatal(new SQLException("terminated by admin", "57P01")));
    assertTrue(FatalErrors.isFatal(new SQLException("killed", "70100", 1927)));
    assertTrue(FatalErrors.isFatal(new SQLException("gone away", "HY000", 2006)));
    assertTrue(FatalErrors.isFatal(new SQLNonTransientConnectionException("closed")));
    SQLException wrapped = new SQLException("outer", "XX000");
    wrapped.setNextException(new SQLException("inner", "08003"));
    assertTrue(FatalErrors.isFatal(wrapped));
  }

  @Test
  void ordinaryErrorsKeepTheConnection() {
    assertFalse(FatalErrors.isFatal(new SQLException("syntax", "42601")));
    assertFalse(FatalErrors.isFatal(new SQLException("duplicate key", "23505")));
    assertFalse(FatalErrors.isFatal(new SQLException("deadlock", "40P01")));
    assertFalse(
        FatalErrors.isFatal(new SQLException("pg code that is a small int", "22012", 2006)));
    assertFalse(FatalErrors.isFatal(new SQLException("no state")));
  }

  /** A vendor exception whose chain points back at itself. */
  private static final class Looping extends SQLException {
    private static final long serialVersionUID = 1L;
    SQLException next;

    Looping(String state) {
      super("looping", state);
    }

    @Override
    public SQLException getNextException() {
      return next;
    }
  }

  @Test
  void cyclicChainsEnd() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          Looping a = new Looping("42000");
          Looping b = new Looping("42000");
          a.next = b;
          b.next = a;
          assertFalse(FatalErrors.isFatal(a));
          SQLException c = new SQLException("c", "42000");
          SQLException d = new SQLException("d", "42000", c);
          c.initCause(d); // c -> d -> c
          assertFalse(FatalErrors.isFatal(c));
          Looping self = new Looping("42000");
          self.next = self;
          assertFalse(FatalErrors.isFatal(self));
        });
  }

  @Test
  void fatalCauseDeeperThanOneLevelCounts() {
    SQLException gone = new SQLException("connection reset", "08006");
    SQLException mid = new SQLException("mid", "HY000", gone);
    SQLException top = new SQLException("top", "XX000", mid);
    assertTrue(FatalErrors.isFatal(top));
  }

  @Test
  void aVeryLongChainIsCutOff() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          SQLException head = new SQLException("0", "42000");
          SQLException cause = head;
          for (int i = 1; i < 1_000; i++) {
            SQLException next = new SQLException(String.valueOf(i), "42000");
            cause.initCause(next);
            cause = next;
          }
          cause.initCause(new SQLException("too deep to matter", "08006"));
          assertFalse(FatalErrors.isFatal(head), "bounded walk");
        });
  }
}
