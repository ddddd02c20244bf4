package dev.xatm.cdi.beans;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.concurrent.Callable;

/** rollbackOn / dontRollbackOn variants (Jakarta Transactions 2.0 section 3.7). */
@ApplicationScoped
public class Rules {
  @Transactional
  public Object defaults(Callable<?> body) throws Exception {
    return body.call();
  }

  @Transactional(rollbackOn = Exception.class)
  public Object rollbackOnException(Callable<?> body) throws Exception {
    return body.call();
  }

  @Transactional(dontRollbackOn = IllegalStateException.class)
  public Object dontRollbackOnIllegalState(Callable<?> body) throws Exception {
    return body.call();
  }

  @Transactional(rollbackOn = SQLException.class, dontRollbackOn = SQLWarning.class)
  public Object sqlButNotWarnings(Callable<?> body) throws Exception {
    return body.call();
  }

  @Transactional(rollbackOn = IOException.class, dontRollbackOn = IOException.class)
  public Object bothSame(Callable<?> body) throws Exception {
    return body.call();
  }

  @Transactional(dontRollbackOn = Error.class)
  public Object dontRollbackOnError(Callable<?> body) throws Exception {
    return body.call();
  }
}
