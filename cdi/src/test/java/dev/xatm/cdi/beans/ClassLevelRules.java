package dev.xatm.cdi.beans;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.io.IOException;
import java.util.concurrent.Callable;

/** A class-level @Transactional, and a method that overrides it. */
@ApplicationScoped
@Transactional(value = TxType.REQUIRES_NEW, rollbackOn = IOException.class)
public class ClassLevelRules {
  public Object inherited(Callable<?> body) throws Exception {
    return body.call();
  }

  @Transactional(value = TxType.SUPPORTS, dontRollbackOn = IllegalArgumentException.class)
  public Object overridden(Callable<?> body) throws Exception {
    return body.call();
  }
}
