package dev.xatm.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a case where xatm and Narayana behave differently; the case asserts each column's actual
 * behaviour. Every such case is listed in the divergence table of docs/conformance.md ({@link
 * DivergenceTableTest} checks it).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface Divergence {
  /** What differs. */
  String what();

  /** Which column follows the Jakarta Transactions 2.0 text, or that the text leaves it open. */
  Spec follows();

  /** Whether xatm's behaviour is deliberate or a reported bug. */
  Kind kind();

  /** Why (for {@link Kind#DELIBERATE}) or what is reported. */
  String why();

  enum Spec {
    XATM,
    NARAYANA,
    BOTH,
    UNSPECIFIED
  }

  enum Kind {
    /** xatm does this on purpose. */
    DELIBERATE,
    /** xatm breaks the spec text; reported, not fixed yet ("xatm bug, reported"). */
    XATM_BUG_REPORTED
  }
}
