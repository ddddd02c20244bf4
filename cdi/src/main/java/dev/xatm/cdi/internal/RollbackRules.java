package dev.xatm.cdi.internal;

import jakarta.transaction.Transactional;
import java.util.List;

/**
 * Whether an exception leaving a {@code @Transactional} method rolls the transaction back, per
 * Jakarta Transactions 2.0 §3.7: by default {@code RuntimeException} (and {@code Error}) do and
 * checked exceptions do not; {@code rollbackOn} adds classes that do, {@code dontRollbackOn}
 * classes that do not; each applies to subclasses; "if both elements are specified, {@code
 * dontRollbackOn} takes precedence".
 *
 * <p>Immutable.
 */
record RollbackRules(List<Class<?>> rollbackOn, List<Class<?>> dontRollbackOn) {
  static final RollbackRules DEFAULT = new RollbackRules(List.of(), List.of());

  static RollbackRules of(Transactional annotation) {
    if (annotation == null) {
      return DEFAULT;
    }
    return new RollbackRules(
        List.of((Class<?>[]) annotation.rollbackOn()),
        List.of((Class<?>[]) annotation.dontRollbackOn()));
  }

  boolean rollsBack(Throwable t) {
    if (matches(dontRollbackOn, t)) {
      return false;
    }
    if (matches(rollbackOn, t)) {
      return true;
    }
    return t instanceof RuntimeException || t instanceof Error;
  }

  private static boolean matches(List<Class<?>> classes, Throwable t) {
    for (Class<?> c : classes) {
      if (c.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
