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

  final XAResource resource;
  final TxBranch branch;
  State state = State.ACTIVE;
  boolean suspendedByTransactionSuspend;

  Association(XAResource resource, TxBranch branch) {
    this.resource = resource;
    this.branch = branch;
  }
}
