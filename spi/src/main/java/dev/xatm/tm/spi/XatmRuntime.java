package dev.xatm.tm.spi;

import jakarta.transaction.TransactionManager;

/** What a running xatm transaction manager offers resource adapters. */
public interface XatmRuntime {

  /** The transaction manager whose current transaction connections enlist in. */
  TransactionManager transactionManager();

  /**
   * Tells the TM the password of a resource an adapter is using, so that periodic recovery can
   * reach resources known only from the log. Kept in memory only; never logged or written.
   */
  void offerCredentials(ResourceDescriptor resource, String password);
}
