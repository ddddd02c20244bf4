package dev.xatm.spring.boot;

/** When the startup recovery pass runs ({@code xatm.spring.startup-recovery}). */
public enum StartupRecoveryMode {
  /**
   * Inside the creation of the transaction manager bean, as {@code XatmTransactionManager.start}
   * does outside Spring: the application context is not refreshed before the pass has finished.
   */
  BLOCKING,
  /**
   * On a thread of its own, started with the context; the health indicator reports {@code
   * OUT_OF_SERVICE} until the pass has finished, so a readiness probe holds traffic back while the
   * application starts.
   */
  BACKGROUND
}
