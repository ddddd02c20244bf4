package dev.xatm.cdi.internal;

import jakarta.enterprise.inject.Stereotype;
import jakarta.interceptor.InvocationContext;
import jakarta.transaction.Transactional;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Collection;

/**
 * Finds the {@code @Transactional} that applies to an intercepted call, for its non-binding {@code
 * rollbackOn}/{@code dontRollbackOn} members (the interceptor class already fixes the {@code
 * TxType}).
 *
 * <p>CDI 4.0 has no portable way to ask an {@code InvocationContext} for its bindings (CDI 4.1 adds
 * {@code getInterceptorBindings}). Weld puts them into the context data under {@value
 * #WELD_BINDINGS}, which also covers bindings an extension added to the annotated type; other
 * containers fall back to reflection: the method, else the target class and its superclasses
 * ({@code @Transactional} is {@code @Inherited}), else a stereotype on the class. A method-level
 * annotation overrides the class-level one (§3.7).
 *
 * <p>Stateless.
 */
final class TransactionalLookup {
  static final String WELD_BINDINGS = "org.jboss.weld.interceptor.bindings";

  private TransactionalLookup() {}

  static Transactional find(InvocationContext ctx) {
    Object bindings = ctx.getContextData().get(WELD_BINDINGS);
    if (bindings instanceof Collection<?> set) {
      for (Object b : set) {
        if (b instanceof Transactional t) {
          return t;
        }
      }
    }
    Method m = ctx.getMethod();
    Transactional onMethod = m == null ? null : m.getAnnotation(Transactional.class);
    if (onMethod != null) {
      return onMethod;
    }
    Class<?> type = ctx.getTarget() != null ? ctx.getTarget().getClass() : null;
    if (type == null && m != null) {
      type = m.getDeclaringClass();
    }
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      Transactional onClass = c.getAnnotation(Transactional.class);
      if (onClass != null) {
        return onClass;
      }
      for (Annotation a : c.getAnnotations()) {
        if (a.annotationType().isAnnotationPresent(Stereotype.class)) {
          Transactional viaStereotype = a.annotationType().getAnnotation(Transactional.class);
          if (viaStereotype != null) {
            return viaStereotype;
          }
        }
      }
    }
    return null;
  }
}
