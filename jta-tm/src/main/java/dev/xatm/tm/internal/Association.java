package dev.xatm.tm.internal;

import javax.transaction.xa.XAResource;

/**
 * One XAResource object's association with a branch (several objects may join one branch with
 * TMJOIN). Guarded by the owning transaction's lock.
 */
final class Association {
  enum State {
    /** Between start and end: the application may be using it. */
    ACTIVE,
    /** Ended with TMSUSPEND. */
    SUSPENDED,
    /** Ended with TMSUCCESS or TMFAIL. */
    ENDED
  }

  /** What {@code TransactionManager.suspend} did to an association that was active. */
  enum Suspension {
    /** Not suspended by the TM (the application may have suspended it with delistResource). */
    NONE,
    /** Ended with TMSUSPEND; resume restarts it with TMRESUME. */
    SUSPENDED,
    /**
     * The resource refused TMSUSPEND (pgjdbc, MariaDB): the branch stays associated with its
     * connection, which nobody else uses while the transaction is suspended; resume sends nothing.
     */
    HELD
  }

  final XAResource resource;
  final TxBranch branch;
  State state = State.ACTIVE;
  Suspension suspension = Suspension.NONE;

  Association(XAResource resource, TxBranch branch) {
    this.resource = resource;
    this.branch = branch;
  }
}
