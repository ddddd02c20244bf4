package dev.xatm.cdi.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Stereotype;
import jakarta.interceptor.InvocationContext;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.io.IOException;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reflection fallback for containers that do not publish bindings as Weld does. */
class TransactionalLookupTest {
  @Transactional(rollbackOn = IOException.class)
  static class ClassLevel {
    public void plain() {}

    @Transactional(value = TxType.SUPPORTS, dontRollbackOn = IllegalStateException.class)
    public void own() {}
  }

  /** Stands for the container's subclass proxy: inherits the class-level annotation. */
  static class ClassLevelProxy extends ClassLevel {}

  @Stereotype
  @Transactional(rollbackOn = Exception.class)
  @Retention(RetentionPolicy.RUNTIME)
  @interface Service {}

  @Service
  @ApplicationScoped
  static class ViaStereotype {
    public void plain() {}
  }

  static class None {
    public void plain() {}
  }

  @Test
  void methodOverridesClassWhichIsInheritedBySubclassProxies() throws Exception {
    Transactional own = TransactionalLookup.find(ctx(new ClassLevelProxy(), "own", Map.of()));
    assertEquals(TxType.SUPPORTS, own.value());
    assertArrayEquals(new Class<?>[] {IllegalStateException.class}, own.dontRollbackOn());
    Transactional plain = TransactionalLookup.find(ctx(new ClassLevelProxy(), "plain", Map.of()));
    assertArrayEquals(new Class<?>[] {IOException.class}, plain.rollbackOn());
  }

  @Test
  void aStereotypeCarriesIt() throws Exception {
    Transactional t = TransactionalLookup.find(ctx(new ViaStereotype(), "plain", Map.of()));
    assertArrayEquals(new Class<?>[] {Exception.class}, t.rollbackOn());
  }

  @Test
  void weldsBindingsWinOverReflection() throws Exception {
    Transactional fromWeld = ClassLevel.class.getMethod("own").getAnnotation(Transactional.class);
    Map<String, Object> data = new HashMap<>();
    data.put(TransactionalLookup.WELD_BINDINGS, Set.of(fromWeld));
    assertEquals(fromWeld, TransactionalLookup.find(ctx(new None(), "plain", data)));
    assertNull(TransactionalLookup.find(ctx(new None(), "plain", Map.of())));
  }

  private static InvocationContext ctx(Object target, String method, Map<String, Object> data)
      throws NoSuchMethodException {
    Method m = target.getClass().getMethod(method);
    Map<String, Object> contextData = new HashMap<>(data);
    return new InvocationContext() {
      @Override
      public Object getTarget() {
        return target;
      }

      @Override
      public Object getTimer() {
        return null;
      }

      @Override
      public Method getMethod() {
        return m;
      }

      @Override
      public Constructor<?> getConstructor() {
        return null;
      }

      @Override
      public Object[] getParameters() {
        return new Object[0];
      }

      @Override
      public void setParameters(Object[] params) {}

      @Override
      public Map<String, Object> getContextData() {
        return contextData;
      }

      @Override
      public Object proceed() {
        return null;
      }
    };
  }
}
