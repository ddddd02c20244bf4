package dev.xatm.cdi.beans;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.util.concurrent.Callable;

/** One method per TxType, each running the caller's body inside the interceptor. */
@ApplicationScoped
public class TxTypes {
  @Transactional(TxType.REQUIRED)
  public <T> T required(Callable<T> body) throws Exception {
    return body.call();
  }

  @Transactional(TxType.REQUIRES_NEW)
  public <T> T requiresNew(Callable<T> body) throws Exception {
    return body.call();
  }

  @Transactional(TxType.MANDATORY)
  public <T> T mandatory(Callable<T> body) throws Exception {
    return body.call();
  }

  @Transactional(TxType.SUPPORTS)
  public <T> T supports(Callable<T> body) throws Exception {
    return body.call();
  }

  @Transactional(TxType.NOT_SUPPORTED)
  public <T> T notSupported(Callable<T> body) throws Exception {
    return body.call();
  }

  @Transactional(TxType.NEVER)
  public <T> T never(Callable<T> body) throws Exception {
    return body.call();
  }

  /**
   * The same body under any type, for table-driven tests. Static, so each call goes through the
   * bean's proxy: Weld does not intercept a bean calling its own methods.
   */
  public static <T> T call(TxTypes bean, TxType type, Callable<T> body) throws Exception {
    return switch (type) {
      case REQUIRED -> bean.required(body);
      case REQUIRES_NEW -> bean.requiresNew(body);
      case MANDATORY -> bean.mandatory(body);
      case SUPPORTS -> bean.supports(body);
      case NOT_SUPPORTED -> bean.notSupported(body);
      case NEVER -> bean.never(body);
    };
  }
}
