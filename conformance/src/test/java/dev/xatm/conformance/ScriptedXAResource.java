package dev.xatm.conformance;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * A scriptable XAResource shared by both columns. It keeps the XA state of each branch and answers
 * like a strict resource manager: an illegal call sequence gets {@code XAER_PROTO} (or {@code
 * XAER_DUPID}/{@code XAER_NOTA}) and is recorded as a {@link #violations() violation}, so a case
 * can assert that a TM drove the protocol correctly.
 *
 * <ul>
 *   <li>{@link #failNext(Op, int)}: the next call of an operation throws that XA code (heuristic
 *       codes leave the branch heuristically completed until {@code forget}; {@code XA_RB*} leave
 *       it rolled back);
 *   <li>{@link #vote(int)}: prepare answers {@code XA_OK}, {@code XA_RDONLY} or throws an {@code
 *       XA_RB*} code;
 *   <li>{@link #onCall(Op, Runnable)}: runs code inside a call (to see the TM's status there);
 *   <li>{@link Capabilities}: whether {@code TMSUSPEND}/{@code TMRESUME} and {@code TMJOIN} work.
 *       {@link Capabilities#PGJDBC} answers as pgjdbc 42.7 does: {@code end(TMSUSPEND)} and {@code
 *       start(TMRESUME)} fail with {@code XAER_RMERR} ("suspend/resume not implemented"), {@code
 *       TMJOIN} works only on the same object for the branch it last ended ("transaction
 *       interleaving not implemented" otherwise), and {@code isSameRM} is identity. So a case that
 *       models pgjdbc cannot pass thanks to something pgjdbc cannot do.
 * </ul>
 *
 * Calls are recorded in the case's {@link CallLog} as {@code name.start(x1,TMNOFLAGS)}, {@code
 * name.end(x1,TMSUCCESS)}, {@code name.prepare(x1)}, {@code name.commit(x1,1pc)}, {@code
 * name.commit(x1)}, {@code name.rollback(x1)}, {@code name.forget(x1)}; {@code
 * setTransactionTimeout} only in {@link #timeouts()}.
 *
 * <p>Thread-safe (every method is synchronized on the resource manager it belongs to).
 */
public final class ScriptedXAResource implements XAResource {
  /** The XA operations a case can script. */
  public enum Op {
    START,
    END,
    PREPARE,
    COMMIT,
    ROLLBACK,
    FORGET
  }

  /** What the resource manager holds for one branch. */
  public enum BranchState {
    ACTIVE,
    SUSPENDED,
    IDLE,
    PREPARED,
    COMMITTED,
    ROLLED_BACK,
    HEURISTIC
  }

  /** What the resource can do beyond TMNOFLAGS/TMSUCCESS/TMFAIL. */
  public enum Capabilities {
    /** TMSUSPEND/TMRESUME, TMJOIN from any object of the same RM (isSameRM by RM). */
    FULL(true, true, false),
    /**
     * As pgjdbc: no suspend/resume, TMJOIN only on the same object, isSameRM is identity, and
     * rollback of the branch still active on the connection ends it implicitly (pgjdbc rolls back
     * its current transaction).
     */
    PGJDBC(false, false, true);

    final boolean supportsSuspend;
    final boolean supportsJoin;
    final boolean rollbackEndsActive;

    Capabilities(boolean supportsSuspend, boolean supportsJoin, boolean rollbackEndsActive) {
      this.supportsSuspend = supportsSuspend;
      this.supportsJoin = supportsJoin;
      this.rollbackEndsActive = rollbackEndsActive;
    }
  }

  /** A resource manager: the branch states its resource objects share. */
  static final class Rm {
    final Map<List<String>, BranchState> branches = new HashMap<>();
    final Map<List<String>, Boolean> failed = new HashMap<>();

    /** Associations (start without end) per branch, over every object of this RM. */
    final Map<List<String>, Integer> open = new HashMap<>();
  }

  /** This object's association with a branch (XA: per thread of control / connection). */
  private enum Assoc {
    ACTIVE,
    SUSPENDED
  }

  private final String name;
  private final CallLog log;
  private final Capabilities caps;
  private final Rm rm;
  private final Map<Op, Deque<Integer>> failures = new EnumMap<>(Op.class);
  private final Map<Op, Runnable> hooks = new EnumMap<>(Op.class);
  private final List<String> violations = new ArrayList<>();
  private final List<Integer> timeouts = new ArrayList<>();
  private final Map<List<String>, Assoc> mine = new HashMap<>();
  private int vote = XA_OK;
  private List<String> lastEnded;
  private int timeout;

  ScriptedXAResource(String name, CallLog log, Capabilities caps) {
    this(name, log, caps, new Rm());
  }

  private ScriptedXAResource(String name, CallLog log, Capabilities caps, Rm rm) {
    this.name = name;
    this.log = log;
    this.caps = caps;
    this.rm = rm;
  }

  /** Another connection to the same resource manager (isSameRM answers true with FULL). */
  public ScriptedXAResource sameRm(String otherName) {
    return new ScriptedXAResource(otherName, log, caps, rm);
  }

  public String name() {
    return name;
  }

  public ScriptedXAResource failNext(Op op, int xaErrorCode) {
    synchronized (rm) {
      failures.computeIfAbsent(op, o -> new ArrayDeque<>()).add(xaErrorCode);
    }
    return this;
  }

  public ScriptedXAResource vote(int v) {
    synchronized (rm) {
      vote = v;
    }
    return this;
  }

  public ScriptedXAResource onCall(Op op, Runnable hook) {
    synchronized (rm) {
      hooks.put(op, hook);
    }
    return this;
  }

  /** The state of the branch this object saw under label {@code x1}, ..., or null if unknown. */
  public BranchState state(String label) {
    synchronized (rm) {
      for (Map.Entry<List<String>, BranchState> e : rm.branches.entrySet()) {
        if (e.getKey().get(0).equals(label)) {
          return e.getValue();
        }
      }
      return null;
    }
  }

  /** Every branch state this RM holds, by label (for messages). */
  public Map<String, BranchState> states() {
    synchronized (rm) {
      Map<String, BranchState> out = new HashMap<>();
      rm.branches.forEach((k, v) -> out.put(k.get(0), v));
      return out;
    }
  }

  /** Protocol violations the TM committed against this resource (XAER_PROTO/DUPID answers). */
  public List<String> violations() {
    synchronized (rm) {
      return List.copyOf(violations);
    }
  }

  /** Every value passed to setTransactionTimeout, in order. */
  public List<Integer> timeouts() {
    synchronized (rm) {
      return List.copyOf(timeouts);
    }
  }

  @Override
  public void start(Xid xid, int flags) throws XAException {
    Runnable hook;
    synchronized (rm) {
      List<String> k = key(xid);
      record("start(" + k.get(0) + "," + flag(flags) + ")");
      scripted(Op.START, k);
      BranchState s = rm.branches.get(k);
      switch (flags) {
        case TMNOFLAGS -> {
          if (s != null) {
            throw violation(XAException.XAER_DUPID, "start(TMNOFLAGS) of known branch " + k);
          }
          associate(k);
        }
        case TMJOIN -> {
          if (s == null) {
            throw new XAException(XAException.XAER_NOTA);
          }
          if (!caps.supportsJoin && !k.equals(lastEnded)) {
            throw new XAException(XAException.XAER_RMERR); // transaction interleaving
          }
          if ((s != BranchState.IDLE && s != BranchState.ACTIVE) || mine.containsKey(k)) {
            throw violation(
                XAException.XAER_PROTO, "start(TMJOIN) of " + s + " branch, here " + mine.get(k));
          }
          associate(k);
        }
        case TMRESUME -> {
          if (!caps.supportsSuspend) {
            throw new XAException(XAException.XAER_RMERR); // suspend/resume not implemented
          }
          if (mine.get(k) != Assoc.SUSPENDED) {
            throw violation(XAException.XAER_PROTO, "start(TMRESUME) of " + s + " branch");
          }
          mine.put(k, Assoc.ACTIVE);
          rm.branches.put(k, BranchState.ACTIVE);
        }
        default -> throw new XAException(XAException.XAER_INVAL);
      }
      hook = hooks.get(Op.START);
    }
    run(hook);
  }

  @Override
  public void end(Xid xid, int flags) throws XAException {
    Runnable hook;
    synchronized (rm) {
      List<String> k = key(xid);
      record("end(" + k.get(0) + "," + flag(flags) + ")");
      scripted(Op.END, k);
      BranchState s = rm.branches.get(k);
      if (s == null) {
        throw new XAException(XAException.XAER_NOTA);
      }
      switch (flags) {
        case TMSUSPEND -> {
          if (!caps.supportsSuspend) {
            throw new XAException(XAException.XAER_RMERR); // suspend/resume not implemented
          }
          if (mine.get(k) != Assoc.ACTIVE) {
            throw violation(XAException.XAER_PROTO, "end(TMSUSPEND) of " + s + " branch");
          }
          mine.put(k, Assoc.SUSPENDED);
          if (rm.open.get(k) == 1) {
            rm.branches.put(k, BranchState.SUSPENDED);
          }
        }
        case TMSUCCESS, TMFAIL -> {
          if (mine.get(k) == null) {
            throw violation(XAException.XAER_PROTO, "end(" + flag(flags) + ") of " + s + " branch");
          }
          mine.remove(k);
          int left = rm.open.merge(k, -1, Integer::sum);
          if (left == 0) {
            rm.branches.put(k, BranchState.IDLE);
          }
          if (flags == TMFAIL) {
            rm.failed.put(k, true);
          }
          lastEnded = k;
        }
        default -> throw new XAException(XAException.XAER_INVAL);
      }
      hook = hooks.get(Op.END);
    }
    run(hook);
  }

  @Override
  public int prepare(Xid xid) throws XAException {
    Runnable hook;
    synchronized (rm) {
      hook = hooks.get(Op.PREPARE);
    }
    run(hook); // outside the lock: the hook may look at the TM
    synchronized (rm) {
      List<String> k = key(xid);
      record("prepare(" + k.get(0) + ")");
      scripted(Op.PREPARE, k);
      BranchState s = rm.branches.get(k);
      if (s == null) {
        throw new XAException(XAException.XAER_NOTA);
      }
      if (s != BranchState.IDLE) {
        throw violation(XAException.XAER_PROTO, "prepare of " + s + " branch");
      }
      if (rm.failed.containsKey(k)) {
        rm.branches.put(k, BranchState.ROLLED_BACK);
        throw new XAException(XAException.XA_RBROLLBACK);
      }
      if (vote >= XAException.XA_RBBASE && vote <= XAException.XA_RBEND) {
        rm.branches.put(k, BranchState.ROLLED_BACK);
        throw new XAException(vote);
      }
      if (vote == XA_RDONLY) {
        rm.branches.put(k, BranchState.COMMITTED);
        return XA_RDONLY;
      }
      rm.branches.put(k, BranchState.PREPARED);
      return XA_OK;
    }
  }

  @Override
  public void commit(Xid xid, boolean onePhase) throws XAException {
    Runnable hook;
    synchronized (rm) {
      hook = hooks.get(Op.COMMIT);
    }
    run(hook);
    synchronized (rm) {
      List<String> k = key(xid);
      record("commit(" + k.get(0) + (onePhase ? ",1pc)" : ")"));
      BranchState s = rm.branches.get(k);
      if (s == null) {
        throw new XAException(XAException.XAER_NOTA);
      }
      if (onePhase ? s != BranchState.IDLE : s != BranchState.PREPARED) {
        throw violation(
            XAException.XAER_PROTO, "commit(" + (onePhase ? "1pc" : "2pc") + ") of " + s);
      }
      if (onePhase && rm.failed.containsKey(k)) {
        rm.branches.put(k, BranchState.ROLLED_BACK);
        throw new XAException(XAException.XA_RBROLLBACK);
      }
      scripted(Op.COMMIT, k);
      rm.branches.put(k, BranchState.COMMITTED);
    }
  }

  @Override
  public void rollback(Xid xid) throws XAException {
    Runnable hook;
    synchronized (rm) {
      hook = hooks.get(Op.ROLLBACK);
    }
    run(hook);
    synchronized (rm) {
      List<String> k = key(xid);
      record("rollback(" + k.get(0) + ")");
      BranchState s = rm.branches.get(k);
      if (s == null || s == BranchState.ROLLED_BACK) {
        throw new XAException(XAException.XAER_NOTA);
      }
      boolean implicitEnd = caps.rollbackEndsActive && s == BranchState.ACTIVE;
      if (s != BranchState.IDLE && s != BranchState.PREPARED && !implicitEnd) {
        throw violation(XAException.XAER_PROTO, "rollback of " + s + " branch");
      }
      scripted(Op.ROLLBACK, k);
      if (implicitEnd) {
        mine.remove(k);
        rm.open.remove(k);
      }
      rm.branches.put(k, BranchState.ROLLED_BACK);
    }
  }

  @Override
  public void forget(Xid xid) throws XAException {
    synchronized (rm) {
      List<String> k = key(xid);
      record("forget(" + k.get(0) + ")");
      scripted(Op.FORGET, k);
      if (rm.branches.get(k) != BranchState.HEURISTIC) {
        throw new XAException(XAException.XAER_NOTA);
      }
      rm.branches.remove(k);
    }
  }

  @Override
  public Xid[] recover(int flag) {
    return new Xid[0]; // no case runs recovery; every branch completes in the case
  }

  @Override
  public boolean isSameRM(XAResource other) {
    if (!caps.supportsJoin) {
      return other == this;
    }
    return other instanceof ScriptedXAResource o && o.rm == rm;
  }

  @Override
  public int getTransactionTimeout() {
    synchronized (rm) {
      return timeout;
    }
  }

  @Override
  public boolean setTransactionTimeout(int seconds) {
    synchronized (rm) {
      timeout = seconds;
      timeouts.add(seconds);
      return true;
    }
  }

  private void associate(List<String> k) {
    mine.put(k, Assoc.ACTIVE);
    rm.open.merge(k, 1, Integer::sum);
    rm.branches.put(k, BranchState.ACTIVE);
  }

  private List<String> key(Xid xid) {
    return List.of(
        log.label(xid),
        Arrays.toString(xid.getGlobalTransactionId()) + Arrays.toString(xid.getBranchQualifier()));
  }

  private void record(String what) {
    log.add(name, what);
  }

  /** Throws the next scripted failure of {@code op}, applying its effect on the branch. */
  private void scripted(Op op, List<String> k) throws XAException {
    Deque<Integer> q = failures.get(op);
    Integer code = q == null ? null : q.poll();
    if (code == null) {
      return;
    }
    switch (code) {
      case XAException.XA_HEURCOM,
              XAException.XA_HEURRB,
              XAException.XA_HEURMIX,
              XAException.XA_HEURHAZ ->
          rm.branches.put(k, BranchState.HEURISTIC);
      default -> {
        if (code >= XAException.XA_RBBASE && code <= XAException.XA_RBEND) {
          rm.branches.put(k, BranchState.ROLLED_BACK);
        }
      }
    }
    throw new XAException(code);
  }

  private XAException violation(int code, String what) {
    violations.add(what);
    return new XAException(code);
  }

  private static void run(Runnable hook) {
    if (hook != null) {
      hook.run();
    }
  }

  static String flag(int flags) {
    return switch (flags) {
      case TMNOFLAGS -> "TMNOFLAGS";
      case TMJOIN -> "TMJOIN";
      case TMRESUME -> "TMRESUME";
      case TMSUCCESS -> "TMSUCCESS";
      case TMFAIL -> "TMFAIL";
      case TMSUSPEND -> "TMSUSPEND";
      default -> "flags" + flags;
    };
  }

  @Override
  public String toString() {
    return "ScriptedXAResource[" + name + "]";
  }
}
