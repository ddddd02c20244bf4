package dev.xatm.tm.internal;

import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.spi.ResourceDescriptor;
import javax.transaction.xa.XAResource;

/**
 * One branch of a transaction: its Xid, the XAResource that started it (the one the coordinator
 * prepares and commits), and the resource's descriptor when it identified itself.
 *
 * <p>Mutable fields are written by the thread that runs the coordinator step and read after the
 * step's join, which orders them.
 */
final class TxBranch {
  final XatmXid xid;
  final XAResource resource;
  final ResourceDescriptor descriptor;
  final Branch logged;
  volatile BranchFate fate;

  /**
   * The branch voted prepared at some point: only then can it outlive its connection, so only then
   * must a rollback that cannot reach the resource be retried (see {@link
   * XaPhase#ROLLBACK_UNPREPARED}).
   */
  volatile boolean everPrepared;

  /** The phase a rollback of this branch is classified in. */
  XaPhase rollbackPhase() {
    return everPrepared ? XaPhase.ROLLBACK : XaPhase.ROLLBACK_UNPREPARED;
  }

  TxBranch(XatmXid xid, XAResource resource, ResourceDescriptor descriptor) {
    this.xid = xid;
    this.resource = resource;
    this.descriptor = descriptor;
    this.logged =
        new Branch(descriptor == null ? null : descriptor.resourceId(), xid.getBranchQualifier());
  }

  String describe() {
    return xid + " on " + (descriptor == null ? resource.toString() : descriptor.resourceId());
  }
}
