package dev.xatm.jdbc.testing;

import dev.xatm.tm.spi.InterruptibleXAResource;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.HeuristicRollbackException;
import jakarta.transaction.InvalidTransactionException;
import jakarta.transaction.NotSupportedException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.SystemException;
import jakarta.transaction.Transaction;
import jakarta.transaction.TransactionManager;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * Just enough of a JTA transaction manager to drive the driver through real XA: enlistResource
 * calls {@code start}, commit runs {@code end}, then one-phase commit for one branch or prepare and
 * commit for several, then {@code afterCompletion}. No log, no recovery. {@link
 * FakeTransaction#expire()} plays the TM's timeout reaper from another thread.
 *
 * <p>Every XA call is recorded in {@link #calls()} as {@code "start"}, {@code "end"}, {@code
 * "prepare"}, {@code "commit1"}, {@code "commit2"}, {@code "rollback"}, and {@code
 * "suspend"}/{@code "resume"} for {@code end(TMSUSPEND)}/{@code start(TMRESUME)}, for assertions.
 */
public final class FakeTransactionManager implements TransactionManager {
  private static final AtomicLong SEQUENCE = new AtomicLong();
  private static final int FORMAT_ID = 0x78617466; // "xatf"

  private final ThreadLocal<FakeTransaction> current = new ThreadLocal<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final String node = Long.toHexString(System.nanoTime());

  /** When true, commit and rollback skip XAResource.end, as a careless TM might. */
  public volatile boolean skipEnd;

  public List<String> calls() {
    return calls;
  }

  @Override
  public void begin() throws NotSupportedException {
    if (current.get() != null) {
      throw new NotSupportedException("nested transactions are not supported");
    }
    current.set(new FakeTransaction(SEQUENCE.incrementAndGet()));
  }

  @Override
  public void commit()
      throws RollbackException,
          HeuristicMixedException,
          HeuristicRollbackException,
          SystemException {
    FakeTransaction tx = requireCurrent();
    current.remove();
    tx.commit();
  }

  @Override
  public void rollback() throws SystemException {
    FakeTransaction tx = requireCurrent();
    current.remove();
    tx.rollback();
  }

  @Override
  public void setRollbackOnly() throws SystemException {
    requireCurrent().setRollbackOnly();
  }

  @Override
  public int getStatus() {
    FakeTransaction tx = current.get();
    return tx == null ? Status.STATUS_NO_TRANSACTION : tx.getStatus();
  }

  @Override
  public FakeTransaction getTransaction() {
    return current.get();
  }

  /** As xatm does: restarts with TMRESUME what suspend suspended, then associates the thread. */
  @Override
  public void resume(Transaction tx) throws InvalidTransactionException, SystemException {
    if (!(tx instanceof FakeTransaction f)) {
      throw new InvalidTransactionException("not ours: " + tx);
    }
    if (current.get() != null) {
      throw new IllegalStateException("the thread already has a transaction");
    }
    f.resumeAssociations();
    current.set(f);
  }

  @Override
  public void setTransactionTimeout(int seconds) {}

  /**
   * As xatm does: ends every active association with TMSUSPEND (a resource that refuses keeps it),
   * then leaves the thread without a transaction.
   */
  @Override
  public Transaction suspend() throws SystemException {
    FakeTransaction tx = current.get();
    current.remove();
    if (tx != null) {
      tx.suspendAssociations();
    }
    return tx;
  }

  private FakeTransaction requireCurrent() {
    FakeTransaction tx = current.get();
    if (tx == null) {
      throw new IllegalStateException("no transaction");
    }
    return tx;
  }

  /** A Xid with this TM's format id; gtrid = node + sequence, bqual = branch number. */
  public record SimpleXid(int formatId, byte[] gtrid, byte[] bqual) implements Xid {
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
      return o instanceof Xid x
          && x.getFormatId() == formatId
          && Arrays.equals(x.getGlobalTransactionId(), gtrid)
          && Arrays.equals(x.getBranchQualifier(), bqual);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(gtrid) * 31 + Arrays.hashCode(bqual);
    }

    @Override
    public String toString() {
      return "Xid[" + new String(gtrid) + "/" + Arrays.toString(bqual) + "]";
    }
  }

  /** One transaction. Its methods may be called from any thread; a lock serializes completion. */
  public final class FakeTransaction implements Transaction {
    private final long id;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<XAResource> resources = new ArrayList<>();
    private final List<Xid> xids = new ArrayList<>();
    private final List<Boolean> ended = new ArrayList<>();
    private final List<Boolean> suspended = new ArrayList<>();
    private final List<Synchronization> syncs = new ArrayList<>();
    private volatile int status = Status.STATUS_ACTIVE;

    FakeTransaction(long id) {
      this.id = id;
    }

    public List<XAResource> resources() {
      lock.lock();
      try {
        return List.copyOf(resources);
      } finally {
        lock.unlock();
      }
    }

    public List<Xid> xids() {
      lock.lock();
      try {
        return List.copyOf(xids);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean enlistResource(XAResource xar) throws RollbackException, SystemException {
      lock.lock();
      try {
        if (status == Status.STATUS_MARKED_ROLLBACK) {
          throw new RollbackException("marked rollback-only");
        }
        if (status != Status.STATUS_ACTIVE) {
          throw new IllegalStateException("transaction not active: " + status);
        }
        if (resources.contains(xar)) {
          return true;
        }
        byte[] gtrid = (node + "-" + id).getBytes();
        byte[] bqual = ByteBuffer.allocate(4).putInt(resources.size() + 1).array();
        Xid xid = new SimpleXid(FORMAT_ID, gtrid, bqual);
        try {
          xar.start(xid, XAResource.TMNOFLAGS);
          calls.add("start");
        } catch (XAException e) {
          SystemException s = new SystemException("start failed: " + e.errorCode);
          s.initCause(e);
          throw s;
        }
        resources.add(xar);
        xids.add(xid);
        ended.add(false);
        suspended.add(false);
        return true;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public boolean delistResource(XAResource xar, int flag) throws SystemException {
      lock.lock();
      try {
        int i = resources.indexOf(xar);
        if (i < 0) {
          throw new IllegalStateException("not enlisted");
        }
        try {
          xar.end(xids.get(i), flag);
          calls.add("end");
          ended.set(i, true);
        } catch (XAException e) {
          SystemException s = new SystemException("end failed: " + e.errorCode);
          s.initCause(e);
          throw s;
        }
        return true;
      } finally {
        lock.unlock();
      }
    }

    void suspendAssociations() throws SystemException {
      lock.lock();
      try {
        for (int i = 0; i < resources.size(); i++) {
          if (ended.get(i) || suspended.get(i)) {
            continue;
          }
          try {
            resources.get(i).end(xids.get(i), XAResource.TMSUSPEND);
            calls.add("suspend");
            suspended.set(i, true);
          } catch (XAException e) {
            calls.add("suspend-refused:" + e.errorCode); // stays associated (xatm: HELD)
          }
        }
      } finally {
        lock.unlock();
      }
    }

    void resumeAssociations() throws SystemException {
      lock.lock();
      try {
        for (int i = 0; i < resources.size(); i++) {
          if (!suspended.get(i)) {
            continue;
          }
          try {
            resources.get(i).start(xids.get(i), XAResource.TMRESUME);
            calls.add("resume");
            suspended.set(i, false);
          } catch (XAException e) {
            SystemException s = new SystemException("start(TMRESUME) failed: " + e.errorCode);
            s.initCause(e);
            throw s;
          }
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void registerSynchronization(Synchronization sync) throws RollbackException {
      lock.lock();
      try {
        if (status == Status.STATUS_MARKED_ROLLBACK) {
          throw new RollbackException("marked rollback-only");
        }
        if (status != Status.STATUS_ACTIVE) {
          throw new IllegalStateException("transaction not active: " + status);
        }
        syncs.add(sync);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void setRollbackOnly() {
      if (status == Status.STATUS_ACTIVE) {
        status = Status.STATUS_MARKED_ROLLBACK;
      }
    }

    @Override
    public int getStatus() {
      return status;
    }

    @Override
    public void commit() throws RollbackException, HeuristicMixedException, SystemException {
      lock.lock();
      try {
        if (status == Status.STATUS_ROLLEDBACK) {
          throw new RollbackException("the transaction was rolled back (timeout)");
        }
        if (status == Status.STATUS_ACTIVE) {
          for (Synchronization s : List.copyOf(syncs)) {
            s.beforeCompletion();
          }
        }
        if (status == Status.STATUS_MARKED_ROLLBACK) {
          rollbackLocked();
          throw new RollbackException("marked rollback-only; rolled back");
        }
        endAll(XAResource.TMSUCCESS);
        if (resources.size() == 1) {
          try {
            resources.get(0).commit(xids.get(0), true);
            calls.add("commit1");
            finish(Status.STATUS_COMMITTED);
          } catch (XAException e) {
            finish(Status.STATUS_ROLLEDBACK);
            RollbackException r = new RollbackException("one-phase commit failed: " + e.errorCode);
            r.initCause(e);
            throw r;
          }
          return;
        }
        status = Status.STATUS_PREPARING;
        boolean[] readOnly = new boolean[resources.size()];
        for (int i = 0; i < resources.size(); i++) {
          try {
            readOnly[i] = resources.get(i).prepare(xids.get(i)) == XAResource.XA_RDONLY;
            calls.add("prepare");
          } catch (XAException e) {
            status = Status.STATUS_ROLLING_BACK;
            for (int j = 0; j < resources.size(); j++) {
              if (j != i && !readOnly[j]) {
                rollbackQuietly(j);
              }
            }
            finish(Status.STATUS_ROLLEDBACK);
            RollbackException r = new RollbackException("prepare failed: " + e.errorCode);
            r.initCause(e);
            throw r;
          }
        }
        status = Status.STATUS_COMMITTING;
        boolean failed = false;
        for (int i = 0; i < resources.size(); i++) {
          if (readOnly[i]) {
            continue;
          }
          try {
            resources.get(i).commit(xids.get(i), false);
            calls.add("commit2");
          } catch (XAException e) {
            failed = true;
          }
        }
        finish(Status.STATUS_COMMITTED);
        if (failed) {
          throw new HeuristicMixedException("a phase-2 commit failed");
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void rollback() {
      lock.lock();
      try {
        if (status == Status.STATUS_ROLLEDBACK) {
          return; // already rolled back by expire()
        }
        rollbackLocked();
      } finally {
        lock.unlock();
      }
    }

    /**
     * What xatm's timeout reaper does, from the calling thread: interrupt the application's work on
     * every {@link InterruptibleXAResource} (fence, cancel, wait until quiet), then mark
     * rollback-only, roll back every branch and run afterCompletion. The transaction stays
     * associated with its thread.
     */
    public void expire() {
      expire(() -> {});
    }

    /**
     * {@link #expire()}, running {@code afterFence} once every interruptible branch is fenced (no
     * new application call can start) and before waiting for the calls in progress to return, so a
     * test can release a statement it holds at exactly that point.
     */
    public void expire(Runnable afterFence) {
      String reason = "transaction timed out (fake reaper)";
      List<InterruptibleXAResource> interruptible = new ArrayList<>();
      lock.lock();
      try {
        for (XAResource r : resources) {
          if (r instanceof InterruptibleXAResource ir) {
            interruptible.add(ir);
          }
        }
      } finally {
        lock.unlock();
      }
      for (InterruptibleXAResource ir : interruptible) {
        ir.interruptWork(reason, Duration.ZERO); // fences and cancels; does not wait
      }
      afterFence.run();
      for (InterruptibleXAResource ir : interruptible) {
        ir.interruptWork(reason, Duration.ofSeconds(10));
      }
      lock.lock();
      try {
        if (status == Status.STATUS_ROLLEDBACK || status == Status.STATUS_COMMITTED) {
          return; // the owner completed it while the reaper waited for its call to return
        }
        if (status == Status.STATUS_ACTIVE) {
          status = Status.STATUS_MARKED_ROLLBACK;
        }
        rollbackLocked();
      } finally {
        lock.unlock();
      }
    }

    private void rollbackLocked() {
      status = Status.STATUS_ROLLING_BACK;
      endAll(XAResource.TMFAIL);
      for (int i = 0; i < resources.size(); i++) {
        rollbackQuietly(i);
      }
      finish(Status.STATUS_ROLLEDBACK);
    }

    private void endAll(int flag) {
      if (skipEnd) {
        return;
      }
      for (int i = 0; i < resources.size(); i++) {
        if (!ended.get(i)) {
          try {
            resources.get(i).end(xids.get(i), flag);
            calls.add("end");
          } catch (XAException e) {
            // A failed end (connection gone) still lets rollback be attempted.
            calls.add("end-failed:" + e.errorCode);
          }
          ended.set(i, true);
        }
      }
    }

    private void rollbackQuietly(int i) {
      try {
        resources.get(i).rollback(xids.get(i));
        calls.add("rollback");
      } catch (XAException e) {
        calls.add("rollback-failed:" + e.errorCode);
      }
    }

    private void finish(int outcome) {
      status = outcome;
      for (Synchronization s : List.copyOf(syncs)) {
        s.afterCompletion(outcome);
      }
    }

    @Override
    public String toString() {
      return "FakeTransaction#" + id + "(status " + status + ")";
    }
  }
}
