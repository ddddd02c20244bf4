package dev.xatm.tm.spi;

import jakarta.transaction.TransactionManager;

/** What a running xatm transaction manager offers resource adapters. */
public interface XatmRuntime {

  /** {@return the transaction manager whose current transaction connections enlist in} */
  TransactionManager transactionManager();

  /**
   * Tells the TM the password of a resource an adapter is using, so that periodic recovery can
   * reach resources known only from the log. Kept in memory only; never logged or written.
   *
   * @param resource the resource the password is for
   * @param password its password; {@code null} forgets one offered before
   */
  void offerCredentials(ResourceDescriptor resource, String password);
}
