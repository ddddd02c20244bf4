package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.XatmXid;
import dev.xatm.tm.internal.XaClassifier;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/** One XA call made by recovery and what came back; never throws. */
record XaCall(boolean ok, int code, Throwable failure) {

  @FunctionalInterface
  interface Op {
    void run() throws XAException;
  }

  static XaCall run(Op op) {
    try {
      op.run();
      return new XaCall(true, XAResource.XA_OK, null);
    } catch (XAException e) {
      return new XaCall(false, e.errorCode, e);
    } catch (RuntimeException e) {
      // A resource that throws instead of answering with an XA code: the call did not complete.
      return new XaCall(false, XAException.XAER_RMFAIL, e);
    }
  }

  /** The code's name plus what caused it (class, vendor code, SQLState; never a message). */
  String describe() {
    StringBuilder sb = new StringBuilder(XaClassifier.name(code));
    if (failure instanceof RuntimeException) {
      sb.append(" (").append(failure.getClass().getName()).append(')');
    }
    Throwable cause = failure == null ? null : failure.getCause();
    if (cause instanceof SQLException s) {
      sb.append(" (cause: SQLException ")
          .append(s.getErrorCode())
          .append(", SQLState ")
          .append(s.getSQLState())
          .append(')');
    } else if (cause != null) {
      sb.append(" (cause: ").append(cause.getClass().getName()).append(')');
    }
    return sb.toString();
  }

  /** {@code recover(TMSTARTRSCAN | TMENDRSCAN)}; a RuntimeException counts as XAER_RMFAIL. */
  static Xid[] recover(XAResource xa) throws XAException {
    Xid[] r;
    try {
      r = xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
    } catch (RuntimeException e) {
      XAException x = new XAException(XAException.XAER_RMFAIL);
      x.initCause(e);
      throw x;
    }
    if (r == null) {
      return new Xid[0];
    }
    List<Xid> copies = new ArrayList<>(r.length);
    for (Xid x : r) {
      if (x != null) {
        copies.add(copy(x));
      }
    }
    return copies.toArray(new Xid[0]);
  }

  /** A value copy of a driver's Xid, usable after its connection is closed. */
  static Xid copy(Xid x) {
    return new SimpleXid(x.getFormatId(), x.getGlobalTransactionId(), x.getBranchQualifier());
  }

  /** The readable name of any Xid: ours as {@code node/epoch/seq#branch}, else hex. */
  static String name(Xid x, XatmXid ours) {
    if (ours != null) {
      return ours.toString();
    }
    HexFormat hex = HexFormat.of();
    return Integer.toHexString(x.getFormatId())
        + ":"
        + hex.formatHex(x.getGlobalTransactionId())
        + ":"
        + hex.formatHex(x.getBranchQualifier());
  }

  /** An immutable Xid value. */
  record SimpleXid(int formatId, byte[] gtrid, byte[] bqual) implements Xid {
    SimpleXid {
      gtrid = gtrid == null ? new byte[0] : gtrid.clone();
      bqual = bqual == null ? new byte[0] : bqual.clone();
    }

    @Override
    public int getFormatId() {
      return formatId;
    }

    @Override
    public byte[] getGlobalTransactionId() {
      return gtrid.clone();
    }

    @Override
    public byte[] getBranchQualifier() {
      return bqual.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SimpleXid s
          && s.formatId == formatId
          && java.util.Arrays.equals(s.gtrid, gtrid)
          && java.util.Arrays.equals(s.bqual, bqual);
    }

    @Override
    public int hashCode() {
      return formatId * 31
          + java.util.Arrays.hashCode(gtrid) * 17
          + java.util.Arrays.hashCode(bqual);
    }

    @Override
    public String toString() {
      return name(this, null);
    }
  }
}
