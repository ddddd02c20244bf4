package dev.xatm.bench.tm;

import dev.xatm.tm.spi.IdentifiedXAResource;
import dev.xatm.tm.spi.ResourceDescriptor;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An in-memory XAResource whose every call returns at once: the benchmark measures the transaction
 * manager's own cost (its log and coordination), not a database's.
 */
final class InstantXAResource implements IdentifiedXAResource {
  private final ResourceDescriptor descriptor;
  private final boolean anyOfItsName;

  InstantXAResource(String name) {
    this(name, false);
  }

  private InstantXAResource(String name, boolean anyOfItsName) {
    this.descriptor = new ResourceDescriptor(name, "bench:" + name, null);
    this.anyOfItsName = anyOfItsName;
  }

  /**
   * The resource manager of every instant resource named {@code name}: its {@code isSameRM} accepts
   * them all. For TMs that need one registered resource per RM (Atomikos); the resources the
   * transactions enlist keep answering by identity.
   */
  static InstantXAResource managerOf(String name) {
    return new InstantXAResource(name, true);
  }

  @Override
  public ResourceDescriptor descriptor() {
    return descriptor;
  }

  @Override
  public void start(Xid xid, int flags) {}

  @Override
  public void end(Xid xid, int flags) {}

  @Override
  public int prepare(Xid xid) {
    return XAResource.XA_OK;
  }

  @Override
  public void commit(Xid xid, boolean onePhase) {}

  @Override
  public void rollback(Xid xid) {}

  @Override
  public void forget(Xid xid) {}

  @Override
  public Xid[] recover(int flag) {
    return new Xid[0];
  }

  @Override
  public boolean isSameRM(XAResource other) {
    if (anyOfItsName && other instanceof InstantXAResource i) {
      return i.descriptor.resourceId().equals(descriptor.resourceId());
    }
    return other == this;
  }

  @Override
  public int getTransactionTimeout() {
    return 0;
  }

  @Override
  public boolean setTransactionTimeout(int seconds) {
    return false;
  }
}
