package dev.xatm.tm.recovery;

import java.util.Objects;

/**
 * One prepared Xid a resource listed, as a read-only inspection of a stopped node sees it ({@link
 * RecoveryInspection#inspect}): what the log says about its gtrid, and what the next start's
 * recovery would do with it and why, decided by the same rules a pass uses.
 *
 * @param resourceId the resource that listed it
 * @param url the resource's recipe (never with a password)
 * @param kind whose it is
 * @param xid {@code node/epoch/sequence#branch} for xatm Xids (the form {@link
 *     RecoveryService#commitInDoubt} takes), {@code formatId:gtridHex:bqualHex} for others
 * @param formatId the XA format id
 * @param gtrid the global transaction id bytes
 * @param bqual the branch qualifier bytes
 * @param ownerNode the node id in an xatm gtrid (any node), or {@code null}
 * @param epoch the epoch of an xatm gtrid, or 0
 * @param logState what this node's log says about the gtrid ({@link
 *     RecoveryLogState#NOT_APPLICABLE} for foreign Xids)
 * @param action what the next start's recovery would do ({@link RecoveryAction#LEAVE_ALONE} for
 *     foreign Xids)
 * @param result how the next start would classify it if the call succeeded ({@link
 *     RecoveryResult#IN_DOUBT} when it would wait for an operator)
 * @param reason why, in the words a recovery pass logs
 * @param strictStartRefuses the Xid proves the log lost records: a strict start refuses (docs
 *     recovery.md)
 */
public record PreparedXid(
    String resourceId,
    String url,
    Kind kind,
    String xid,
    int formatId,
    byte[] gtrid,
    byte[] bqual,
    String ownerNode,
    long epoch,
    RecoveryLogState logState,
    RecoveryAction action,
    RecoveryResult result,
    String reason,
    boolean strictStartRefuses) {

  /** Whose a prepared Xid is. */
  public enum Kind {
    /** An Xid of this node's log: recovery decides it. */
    OURS,
    /** Another transaction manager's, or another xatm node's: never touched. */
    FOREIGN,
    /** This node id, but written by another log (two processes share a node id): never touched. */
    NODE_ID_CLASH
  }

  /**
   * Checks the required components and copies the byte arrays.
   *
   * @param resourceId the resource that listed it; not {@code null}
   * @param url the resource's recipe
   * @param kind whose it is; not {@code null}
   * @param xid the Xid as text; not {@code null}
   * @param formatId the XA format id
   * @param gtrid the global transaction id bytes; copied
   * @param bqual the branch qualifier bytes; copied
   * @param ownerNode the node id in an xatm gtrid, or {@code null}
   * @param epoch the epoch of an xatm gtrid, or 0
   * @param logState what this node's log says about the gtrid
   * @param action what the next start's recovery would do
   * @param result how the next start would classify it
   * @param reason why, in words
   * @param strictStartRefuses whether a strict start refuses because of it
   */
  public PreparedXid {
    Objects.requireNonNull(resourceId, "resourceId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(xid, "xid");
    gtrid = gtrid.clone();
    bqual = bqual.clone();
  }

  /** {@return the global transaction id bytes; a new array on every call} */
  @Override
  public byte[] gtrid() {
    return gtrid.clone();
  }

  /** {@return the branch qualifier bytes; a new array on every call} */
  @Override
  public byte[] bqual() {
    return bqual.clone();
  }
}
