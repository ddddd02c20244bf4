package dev.xatm.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
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
}
