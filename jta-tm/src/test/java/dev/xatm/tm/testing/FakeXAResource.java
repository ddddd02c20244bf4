package dev.xatm.tm.testing;

import dev.xatm.tm.XatmXid;
import dev.xatm.tm.spi.IdentifiedXAResource;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A scriptable XAResource for tests (shipped in the jta-tm test-jar for {@code it}).
 *
 * <ul>
 *   <li>{@link #script(Op, int...)}: the next calls of an operation fail with these XA codes in
 *       order ({@link #OK} lets one call succeed); {@link #always(Op, int)} fails every call.
 *   <li>{@link #voteReadOnly()}: prepare returns XA_RDONLY.
 *   <li>{@link #hang(Op, CountDownLatch, CountDownLatch)}: a call signals {@code entered} and waits
 *       for {@code release} (bounded at 30 s so a broken test fails instead of hanging).
 *   <li>{@link #sameRm(Predicate)}: what isSameRM answers (default: only itself).
 *   <li>{@link #refuseSuspend()}: behaves like pgjdbc and MariaDB Connector/J, which cannot
 *       suspend: {@code end(TMSUSPEND)} fails with XAER_RMERR (pgjdbc's code; {@link
 *       #refuseSuspend(int)} picks another, e.g. MariaDB's XAER_INVAL) and {@code start(TMRESUME)}
 *       with XAER_PROTO, both without changing the branch.
 * </ul>
 *
 * <p>Every call is recorded in the shared {@link Journal} as {@code name.op(xid[,flag])} and the
 * state of each Xid is tracked, so tests can assert what the resource holds. Thread-safe.
 */
public class FakeXAResource implements IdentifiedXAResource {
  /** Pass to {@link #script} to let one call succeed. */
  public static final int OK = 0;

  /** XA operations that can be scripted. */
  public enum Op {
    START,
    END,
    PREPARE,
    COMMIT,
    ONE_PHASE_COMMIT,
    ROLLBACK,
    FORGET
  }

  /** What the resource holds for one Xid. */
  public enum BranchState {
    ACTIVE,
    SUSPENDED,
    IDLE,
    PREPARED,
    COMMITTED,
    ROLLED_BACK,
    HEURISTIC,
    FORGOTTEN
  }

  private final String name;
  private final Journal journal;
  private final boolean identified;
  private final Map<Op, Deque<Integer>> scripted = new EnumMap<>(Op.class);
  private final Map<Op, Integer> always = new EnumMap<>(Op.class);
  private final Map<Op, CountDownLatch[]> hangs = new EnumMap<>(Op.class);
  private final Map<String, BranchState> states = new ConcurrentHashMap<>();
  private final List<Integer> startFlags = new ArrayList<>();
  private volatile boolean readOnly;
  private volatile Predicate<XAResource> sameRm = r -> r == this;
  private volatile int timeoutSeconds;
  private volatile boolean refusesSuspend;
  private volatile int suspendRefusal;

  public FakeXAResource(String name, Journal journal) {
    this(name, journal, true);
  }

  public FakeXAResource(String name, Journal journal, boolean identified) {
    this.name = name;
    this.journal = journal;
    this.identified = identified;
  }

  public String name() {
    return name;
  }

  public synchronized FakeXAResource script(Op op, int... codes) {
    Deque<Integer> q = scripted.computeIfAbsent(op, o -> new ArrayDeque<>());
    for (int c : codes) {
      q.add(c);
    }
    return this;
  }

  public synchronized FakeXAResource always(Op op, int code) {
    always.put(op, code);
    return this;
  }

  public synchronized FakeXAResource clear(Op op) {
    always.remove(op);
    scripted.remove(op);
    return this;
  }

  public FakeXAResource refuseSuspend() {
    return refuseSuspend(XAException.XAER_RMERR);
  }

  /** As {@link #refuseSuspend()}, with {@code end(TMSUSPEND)} failing with {@code errorCode}. */
  public FakeXAResource refuseSuspend(int errorCode) {
    suspendRefusal = errorCode;
    refusesSuspend = true;
    return this;
  }

  public FakeXAResource voteReadOnly() {
    readOnly = true;
    return this;
  }

  public synchronized FakeXAResource hang(Op op, CountDownLatch entered, CountDownLatch release) {
    hangs.put(op, new CountDownLatch[] {entered, release});
    return this;
  }

  public FakeXAResource sameRm(Predicate<XAResource> p) {
    this.sameRm = p;
    return this;
  }

  public BranchState state(Xid xid) {
    return states.get(key(xid));
  }

  public Map<String, BranchState> states() {
    return Map.copyOf(states);
  }

  public synchronized List<Integer> startFlags() {
    return List.copyOf(startFlags);
  }

  public int transactionTimeout() {
    return timeoutSeconds;
  }

  /** The readable key of a Xid: {@code node/epoch/seq#branch} for xatm Xids. */
  public static String key(Xid xid) {
    var g = dev.xatm.tm.Gtrid.fromBytes(xid.getGlobalTransactionId());
    var b = XatmXid.branchOf(xid.getBranchQualifier());
    if (g.isPresent() && b.isPresent()) {
      return g.get() + "#" + b.get();
    }
    return java.util.HexFormat.of().formatHex(xid.getGlobalTransactionId())
        + "#"
        + java.util.HexFormat.of().formatHex(xid.getBranchQualifier());
  }

  private void refused(String op, Xid xid, int flags, int code) throws XAException {
    journal.add(name + "." + op + "(" + key(xid) + "," + flagName(flags) + ") refused");
    throw new XAException(code);
  }

  private void call(Op op, Xid xid, String detail) throws XAException {
    journal.add(
        name + "." + op.name().toLowerCase() + "(" + (xid == null ? "" : key(xid)) + detail + ")");
    CountDownLatch[] hang;
    Integer code;
    synchronized (this) {
      hang = hangs.get(op);
      Deque<Integer> q = scripted.get(op);
      code = q != null && !q.isEmpty() ? q.poll() : always.get(op);
    }
    if (hang != null) {
      hang[0].countDown();
      try {
        if (!hang[1].await(30, TimeUnit.SECONDS)) {
          throw new AssertionError(name + "." + op + " was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new XAException(XAException.XAER_RMFAIL);
      }
    }
    if (code != null && code != OK) {
      journal.add(name + "." + op.name().toLowerCase() + " failed " + code);
      throw new XAException(code);
    }
  }

  @Override
  public ResourceDescriptor descriptor() {
    return identified ? new ResourceDescriptor(name, "fake:" + name, "user") : null;
  }

  @Override
  public void start(Xid xid, int flags) throws XAException {
    synchronized (this) {
      startFlags.add(flags);
    }
    if (flags == TMRESUME && refusesSuspend) {
      refused("start", xid, flags, XAException.XAER_PROTO);
    }
    call(Op.START, xid, "," + flagName(flags));
    states.put(key(xid), BranchState.ACTIVE);
  }

  @Override
  public void end(Xid xid, int flags) throws XAException {
    if (flags == TMSUSPEND && refusesSuspend) {
      refused("end", xid, flags, suspendRefusal);
    }
    call(Op.END, xid, "," + flagName(flags));
    states.put(key(xid), flags == TMSUSPEND ? BranchState.SUSPENDED : BranchState.IDLE);
  }

  @Override
  public int prepare(Xid xid) throws XAException {
    try {
      call(Op.PREPARE, xid, "");
    } catch (XAException e) {
      if (e.errorCode >= XAException.XA_RBBASE && e.errorCode <= XAException.XA_RBEND) {
        states.put(key(xid), BranchState.ROLLED_BACK);
      }
      throw e;
    }
    if (readOnly) {
      states.put(key(xid), BranchState.COMMITTED);
      return XA_RDONLY;
    }
    states.put(key(xid), BranchState.PREPARED);
    return XA_OK;
  }

  @Override
  public void commit(Xid xid, boolean onePhase) throws XAException {
    call(onePhase ? Op.ONE_PHASE_COMMIT : Op.COMMIT, xid, onePhase ? ",1pc" : "");
    states.put(key(xid), BranchState.COMMITTED);
  }

  @Override
  public void rollback(Xid xid) throws XAException {
    call(Op.ROLLBACK, xid, "");
    states.put(key(xid), BranchState.ROLLED_BACK);
  }

  @Override
  public void forget(Xid xid) throws XAException {
    call(Op.FORGET, xid, "");
    states.put(key(xid), BranchState.FORGOTTEN);
  }

  @Override
  public Xid[] recover(int flag) {
    return new Xid[0];
  }

  @Override
  public boolean isSameRM(XAResource other) {
    return sameRm.test(other);
  }

  @Override
  public int getTransactionTimeout() {
    return timeoutSeconds;
  }

  @Override
  public boolean setTransactionTimeout(int seconds) {
    timeoutSeconds = seconds;
    return true;
  }

  @Override
  public String toString() {
    return "FakeXAResource[" + name + "]";
  }

  static String flagName(int flags) {
    return switch (flags) {
      case TMNOFLAGS -> "TMNOFLAGS";
      case TMJOIN -> "TMJOIN";
      case TMRESUME -> "TMRESUME";
      case TMSUCCESS -> "TMSUCCESS";
      case TMFAIL -> "TMFAIL";
      case TMSUSPEND -> "TMSUSPEND";
      default -> Integer.toString(flags);
    };
  }
}
