package dev.xatm.cdi.beans;

import java.util.concurrent.Callable;

/** Transactional through its stereotype only. */
@RollsBackOnIo
public class StereotypedService {
  public Object run(Callable<?> body) throws Exception {
    return body.call();
  }
}
