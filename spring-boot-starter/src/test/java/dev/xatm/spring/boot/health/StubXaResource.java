package dev.xatm.spring.boot.health;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;

/**
 * An XAResource that agrees to everything and keeps nothing, with default methods so a test
 * overrides the one call that must fail (the Agroal {@code MockXAResource} idea). Each instance is
 * its own resource manager.
 */
interface StubXaResource extends XAResource {
  @Override
  default void start(Xid xid, int flags) {}

  @Override
  default void end(Xid xid, int flags) {}

  @Override
  default int prepare(Xid xid) throws XAException {
    return XA_OK;
  }

  @Override
  default void commit(Xid xid, boolean onePhase) throws XAException {}

  @Override
  default void rollback(Xid xid) throws XAException {}

  @Override
  default void forget(Xid xid) throws XAException {}

  @Override
  default Xid[] recover(int flag) throws XAException {
    return new Xid[0];
  }

  @Override
  default boolean isSameRM(XAResource other) {
    return other == this;
  }

  @Override
  default int getTransactionTimeout() {
    return 0;
  }

  @Override
  default boolean setTransactionTimeout(int seconds) {
    return false;
  }

  /** A resource with nothing overridden. */
  static StubXaResource agreeing() {
    return new StubXaResource() {};
  }
}
