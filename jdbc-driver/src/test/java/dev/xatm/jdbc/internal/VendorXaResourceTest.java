package dev.xatm.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.List;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The vendor answers VendorXaResource corrects, and the ones it must leave alone. */
class VendorXaResourceTest {

  private static XAException xa(int code, Throwable cause) {
    XAException e = new XAException("vendor says " + code);
    e.errorCode = code;
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  static Stream<Arguments> answers() {
    return Stream.of(
        // pgjdbc: COMMIT PREPARED on a terminated backend (pg_terminate_backend), seen for real
        Arguments.of(
            "pgjdbc RMERR, backend terminated (57P01)",
            xa(XAException.XAER_RMERR, new SQLException("terminating connection", "57P01")),
            XAException.XAER_RMFAIL),
        Arguments.of(
            "pgjdbc RMERR, connection closed (08003)",
            xa(XAException.XAER_RMERR, new SQLException("connection has been closed", "08003")),
            XAException.XAER_RMFAIL),
        // MariaDB Connector/J after KILL: error code 0, socket error 08000, seen for real
        Arguments.of(
            "MariaDB code 0, socket error",
            xa(0, new SQLNonTransientConnectionException("Socket error", "08000")),
            XAException.XAER_RMFAIL),
        // H2: commit of an unknown Xid, seen for real
        Arguments.of(
            "H2 code 0, transaction not found (90129)",
            xa(0, new SQLException("Transaction not found", "90129", 90129)),
            XAException.XAER_NOTA),
        Arguments.of("code 0 with no cause", xa(0, null), XAException.XAER_RMFAIL),
        Arguments.of(
            "code 0, some other SQL error",
            xa(0, new SQLException("syntax", "42000", 1064)),
            XAException.XAER_RMFAIL),
        // Left alone: the resource's own answers, and RMERR that is not about the connection
        Arguments.of(
            "RMERR, permission denied (42501) stays RMERR",
            xa(XAException.XAER_RMERR, new SQLException("permission denied", "42501")),
            XAException.XAER_RMERR),
        Arguments.of(
            "rollback vote with a dead connection stays a rollback vote",
            xa(XAException.XA_RBROLLBACK, new SQLException("gone", "08006")),
            XAException.XA_RBROLLBACK),
        Arguments.of(
            "NOTA stays NOTA",
            xa(XAException.XAER_NOTA, new SQLException("gone", "08006")),
            XAException.XAER_NOTA),
        Arguments.of(
            "heuristic stays heuristic",
            xa(XAException.XA_HEURRB, new SQLException("gone", "08006")),
            XAException.XA_HEURRB),
        Arguments.of("PROTO without a cause stays PROTO", xa(XAException.XAER_PROTO, null), -6));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void correctsOnlyWhatTheSpecificationReadsOtherwise(String name, XAException in, int expected) {
    XAException out = VendorXaResource.normalize(in);
    assertEquals(expected, out.errorCode, name + ": " + out.getMessage());
    if (expected == in.errorCode) {
      assertSame(in, out, "an unchanged answer is passed through as it is");
    } else {
      assertSame(in, out.getCause(), "the vendor's exception is kept as the cause");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("answers")
  void everyCallOfTheWrapperCorrects(String name, XAException in, int expected) {
    FailingXaResource vendor = new FailingXaResource(in);
    VendorXaResource r = new VendorXaResource(vendor);
    for (ThrowingCall call :
        List.<ThrowingCall>of(
            () -> r.start(null, 0),
            () -> r.end(null, 0),
            () -> r.prepare(null),
            () -> r.commit(null, false),
            () -> r.rollback(null),
            () -> r.forget(null),
            () -> r.recover(0))) {
      try {
        call.run();
      } catch (XAException e) {
        assertEquals(expected, e.errorCode, name);
        continue;
      }
      throw new AssertionError(name + ": the failure was swallowed");
    }
  }

  @FunctionalInterface
  interface ThrowingCall {
    void run() throws XAException;
  }

  private static final class FailingXaResource implements javax.transaction.xa.XAResource {
    private final XAException e;

    FailingXaResource(XAException e) {
      this.e = e;
    }

    @Override
    public void start(javax.transaction.xa.Xid xid, int flags) throws XAException {
      throw e;
    }

    @Override
    public void end(javax.transaction.xa.Xid xid, int flags) throws XAException {
      throw e;
    }

    @Override
    public int prepare(javax.transaction.xa.Xid xid) throws XAException {
      throw e;
    }

    @Override
    public void commit(javax.transaction.xa.Xid xid, boolean onePhase) throws XAException {
      throw e;
    }

    @Override
    public void rollback(javax.transaction.xa.Xid xid) throws XAException {
      throw e;
    }

    @Override
    public void forget(javax.transaction.xa.Xid xid) throws XAException {
      throw e;
    }

    @Override
    public javax.transaction.xa.Xid[] recover(int flag) throws XAException {
      throw e;
    }

    @Override
    public boolean isSameRM(javax.transaction.xa.XAResource other) {
      return other == this;
    }

    @Override
    public int getTransactionTimeout() {
      return 0;
    }

    @Override
    public boolean setTransactionTimeout(int seconds) {
      return false;
    }
  }
}
