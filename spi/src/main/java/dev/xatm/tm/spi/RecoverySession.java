package dev.xatm.tm.spi;

import javax.transaction.xa.XAResource;

/** A connection opened for recovery; closing it releases the underlying connection. */
public interface RecoverySession extends AutoCloseable {
  /** {@return the XAResource recovery calls {@code recover}, {@code commit} and so on with} */
  XAResource xaResource();

  /** Releases the underlying connection; no checked exception, as recovery is done with it. */
  @Override
  void close();
}
