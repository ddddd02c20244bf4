package dev.xatm.tm.recovery;

import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;

/**
 * A {@link FakeXAResource} that remembers its prepared Xids like a real resource manager: {@code
 * recover()} lists them, commit/rollback of an Xid it does not hold answers XAER_NOTA (or, in H2
 * mode, XAException 0 caused by SQLException 90129), heuristic answers keep the Xid until {@code
 * forget}. It can be down ({@code recover} fails) and can run a hook inside {@code recover()}.
 */
public class PreparedResource extends FakeXAResource {
  private final Map<String, Xid> prepared = new LinkedHashMap<>();
  private volatile int recoverFailsWith;
  private volatile boolean h2Mode;
  private volatile boolean keepAfterNota;
  private volatile Runnable onRecover = () -> {};
  private volatile Xid crashOnCommitOf;
  int recoverCalls;

  /** Every commit/rollback sent, answered or not: {@code commit(key)} / {@code rollback(key)}. */
  private final List<String> sent = new ArrayList<>();

  public PreparedResource(String name, Journal journal) {
    super(name, journal);
  }

  /** Simulates the process dying in the middle of a recovery pass. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String m) {
      super(m);
    }
  }

  synchronized void hold(Xid xid) {
    prepared.put(key(xid), xid);
  }

  /** The branch is resolved by someone else (its owner, an operator at the database). */
  synchronized void release(Xid xid) {
    prepared.remove(key(xid));
  }

  synchronized boolean holds(Xid xid) {
    return prepared.containsKey(key(xid));
  }

  synchronized List<Xid> held() {
    return new ArrayList<>(prepared.values());
  }

  /** recover() throws XAException with this code (0 = works). */
  void recoverFailsWith(int code) {
    recoverFailsWith = code;
  }

  void h2Mode() {
    h2Mode = true;
  }

  /** Commit/rollback answer XAER_NOTA but the Xid stays listed (a rebuilt Xid that is wrong). */
  void keepAfterNota() {
    keepAfterNota = true;
  }

  void onRecover(Runnable r) {
    onRecover = r;
  }

  void crashOnCommitOf(Xid xid) {
    crashOnCommitOf = xid;
  }

  @Override
  public int prepare(Xid xid) throws XAException {
    int v = super.prepare(xid);
    if (v == XA_OK) {
      hold(xid);
    }
    return v;
  }

  /** How many calls of {@code op} ("commit", "rollback") were sent, whatever they answered. */
  synchronized long sent(String op) {
    return sent.stream().filter(c -> c.startsWith(op + "(")).count();
  }

  private synchronized void sent(String op, Xid xid) {
    sent.add(op + "(" + key(xid) + ")");
  }

  @Override
  public void commit(Xid xid, boolean onePhase) throws XAException {
    sent("commit", xid);
    if (!onePhase) {
      Xid crash = crashOnCommitOf;
      if (crash != null && key(crash).equals(key(xid))) {
        throw new SimulatedCrash("crash while committing " + key(xid));
      }
      unknown(xid, "commit");
    }
    finish(xid, () -> super.commit(xid, onePhase));
  }

  @Override
  public void rollback(Xid xid) throws XAException {
    sent("rollback", xid);
    unknown(xid, "rollback");
    finish(xid, () -> super.rollback(xid));
  }

  @Override
  public void forget(Xid xid) throws XAException {
    super.forget(xid);
    synchronized (this) {
      prepared.remove(key(xid));
    }
  }

  private interface Call {
    void run() throws XAException;
  }

  private void finish(Xid xid, Call call) throws XAException {
    try {
      call.run();
    } catch (XAException e) {
      boolean heuristic =
          e.errorCode == XAException.XA_HEURCOM
              || e.errorCode == XAException.XA_HEURRB
              || e.errorCode == XAException.XA_HEURMIX
              || e.errorCode == XAException.XA_HEURHAZ;
      boolean gone = e.errorCode >= XAException.XA_RBBASE && e.errorCode <= XAException.XA_RBEND;
      if (gone) {
        synchronized (this) {
          prepared.remove(key(xid));
        }
      }
      // RMFAIL and friends leave the branch prepared; heuristics keep it until forget.
      if (heuristic || !gone) {
        throw e;
      }
      throw e;
    }
    synchronized (this) {
      prepared.remove(key(xid));
    }
  }

  private void unknown(Xid xid, String op) throws XAException {
    synchronized (this) {
      if (prepared.containsKey(key(xid)) && !keepAfterNota) {
        return;
      }
    }
    if (h2Mode) {
      XAException e = new XAException(0);
      e.initCause(new SQLException("Transaction not found: " + key(xid), "90129", 90129));
      throw e;
    }
    throw new XAException(XAException.XAER_NOTA);
  }

  @Override
  public Xid[] recover(int flag) {
    synchronized (this) {
      recoverCalls++;
    }
    if (recoverFailsWith != 0) {
      // FakeXAResource.recover declares no XAException; a real resource throws one.
      PreparedResource.<RuntimeException>sneakyThrow(new XAException(recoverFailsWith));
    }
    Xid[] out;
    synchronized (this) {
      out = prepared.values().toArray(new Xid[0]);
    }
    Runnable r = onRecover;
    onRecover = () -> {};
    r.run();
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }
}
