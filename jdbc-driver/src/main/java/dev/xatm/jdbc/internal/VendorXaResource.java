package dev.xatm.jdbc.internal;

import java.sql.SQLException;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * The vendor's XAResource with its error codes corrected where a vendor says something the XA
 * specification gives another meaning. Every XA call of the driver, enlisted or for recovery, goes
 * through one of these.
 *
 * <p>What is corrected (each seen against the real servers; see {@code it} VendorXaErrorsIT):
 *
 * <ul>
 *   <li>A call that failed because the connection is gone (SQLState class 08, PostgreSQL
 *       57P01/57P02/57P03, MariaDB connection-killed codes; see {@link FatalErrors}) becomes {@code
 *       XAER_RMFAIL}: the outcome of the call is unknown and the branch, if prepared, is still
 *       there. pgjdbc reports such a {@code COMMIT PREPARED} as {@code XAER_RMERR}, which X/Open XA
 *       defines as "the branch was rolled back", and MariaDB Connector/J as error code 0. Taken at
 *       their word, a committed transaction would be reported as a heuristic rollback.
 *   <li>Error code 0, which no XA call may return: H2's "transaction not found" (H2 error 90129)
 *       becomes {@code XAER_NOTA}; anything else becomes {@code XAER_RMFAIL} (outcome unknown, so
 *       the TM retries and confirms through {@code recover}, never assumes).
 * </ul>
 *
 * <p>Rollback votes ({@code XA_RB*}), heuristic codes and {@code XAER_NOTA} are the resource's own
 * answer and pass through unchanged. Stateless apart from its delegate; thread-safe if the vendor's
 * resource is.
 */
public final class VendorXaResource implements XAResource {
  /** H2's ErrorCode.TRANSACTION_NOT_FOUND_1. */
  private static final int H2_TRANSACTION_NOT_FOUND = 90129;

  private final XAResource vendor;

  VendorXaResource(XAResource vendor) {
    this.vendor = vendor;
  }

  /** Wraps a vendor XAResource (for recovery sessions, which do not go through the pool). */
  public static XAResource wrap(XAResource vendor) {
    return vendor instanceof VendorXaResource ? vendor : new VendorXaResource(vendor);
  }

  /** The vendor's own resource (for {@code isSameRM} across wrappers). */
  XAResource vendor() {
    return vendor;
  }

  static XAException normalize(XAException e) {
    int code = e.errorCode;
    boolean resourceAnswer =
        code == XAException.XAER_NOTA
            || (code >= XAException.XA_RBBASE && code <= XAException.XA_RBEND)
            || code == XAException.XA_HEURCOM
            || code == XAException.XA_HEURRB
            || code == XAException.XA_HEURMIX
            || code == XAException.XA_HEURHAZ
            || code == XAException.XA_RDONLY
            || code == XAException.XAER_RMFAIL;
    if (resourceAnswer) {
      return e;
    }
    SQLException sql = sqlCause(e);
    if (sql != null && FatalErrors.isFatal(sql)) {
      return corrected(XAException.XAER_RMFAIL, "the connection is gone", e);
    }
    if (code == 0) {
      if (sql != null && sql.getErrorCode() == H2_TRANSACTION_NOT_FOUND) {
        return corrected(XAException.XAER_NOTA, "the resource does not know the branch", e);
      }
      return corrected(XAException.XAER_RMFAIL, "no XA error code (outcome unknown)", e);
    }
    return e;
  }

  private static XAException corrected(int code, String why, XAException original) {
    XAException x =
        new XAException(
            "vendor XAException (errorCode "
                + original.errorCode
                + ") read as "
                + (code == XAException.XAER_NOTA ? "XAER_NOTA" : "XAER_RMFAIL")
                + ": "
                + why
                + ": "
                + original.getMessage());
    x.errorCode = code;
    x.initCause(original);
    return x;
  }

  private static SQLException sqlCause(Throwable e) {
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof SQLException s) {
        return s;
      }
    }
    return null;
  }

  @Override
  public void start(Xid xid, int flags) throws XAException {
    try {
      vendor.start(xid, flags);
    } catch (XAException e) {
      throw normalize(e);
    }
  }

  @Override
  public void end(Xid xid, int flags) throws XAException {
    try {
      vendor.end(xid, flags);
    } catch (XAException e) {
      throw normalize(e);
    }
  }

  @Override
  public int prepare(Xid xid) throws XAException {
    try {
      return vendor.prepare(xid);
    } catch (XAException e) {
      throw normalize(e);
    }
  }

  @Override
  public void commit(Xid xid, boolean onePhase) throws XAException {
    try {
      vendor.commit(xid, onePhase);
    } catch (XAException e) {
      throw normalize(e);
    }
  }

  @Override
  public void rollback(Xid xid) throws XAException {
    try {
      vendor.rollback(xid);
    } catch (XAException e) {
      throw normalize(e);
    }
  }

  @Override
  public void forget(Xid xid) throws XAException {
    try {
      vendor.forget(xid);
    } catch (XAException e) {
      throw normalize(e);
    }
  }

  @Override
  public Xid[] recover(int flag) throws XAException {
    try {
      return vendor.recover(flag);
    } catch (XAException e) {
      throw normalize(e);
    }
  }

  @Override
  public boolean isSameRM(XAResource other) throws XAException {
    return vendor.isSameRM(other instanceof VendorXaResource v ? v.vendor : other);
  }

  @Override
  public int getTransactionTimeout() throws XAException {
    return vendor.getTransactionTimeout();
  }

  @Override
  public boolean setTransactionTimeout(int seconds) throws XAException {
    return vendor.setTransactionTimeout(seconds);
  }

  @Override
  public String toString() {
    return vendor.toString();
  }
}
