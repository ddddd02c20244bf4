package dev.xatm.tm.spi;

import javax.transaction.xa.XAResource;

/** A connection opened for recovery; closing it releases the underlying connection. */
public interface RecoverySession extends AutoCloseable {
  XAResource xaResource();

  @Override
  void close();
}
