package dev.xatm.spring.boot;

import dev.xatm.tm.XatmTransactionManager;

/**
 * Adjusts the builder of the xatm transaction manager before the starter starts it (a clock, an
 * executor, failpoints in crash tests). Every bean of this type is applied, in {@code @Order}.
 */
@FunctionalInterface
public interface XatmTransactionManagerCustomizer {
  /**
   * Adjusts the builder; called once, before the transaction manager starts.
   *
   * @param builder the builder the starter made from the Spring environment
   */
  void customize(XatmTransactionManager.Builder builder);
}
