package dev.xatm.cdi.internal;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.io.Serializable;

/**
 * The interceptor of {@code @Transactional(NOT_SUPPORTED)} (behaviour: {@link
 * TransactionalInvoker}). Serializable with a proxy field, so passivating beans may use it.
 */
@Transactional(TxType.NOT_SUPPORTED)
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 200)
public class NotSupportedInterceptor implements Serializable {
  private static final long serialVersionUID = 1L;

  @Inject TransactionalInvoker invoker;

  @AroundInvoke
  public Object around(InvocationContext ctx) throws Exception {
    return invoker.invoke(TxType.NOT_SUPPORTED, ctx);
  }
}
