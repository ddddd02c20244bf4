package dev.xatm.cdi.beans;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;

/** Business methods that write to both databases, as an application's service would. */
@ApplicationScoped
public class Transfers {
  @Inject Stores stores;
  @Inject Inner inner;

  /** Thrown after both writes. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    public Refused(String message) {
      super(message);
    }
  }

  @Transactional
  public void writeBothThenThrow(int id, int v, Exception failure) throws Exception {
    stores.setBoth(id, v);
    if (failure != null) {
      throw failure;
    }
  }

  @Transactional(rollbackOn = Refused.class)
  public void writeBothThenRefuse(int id, int v) throws Exception {
    stores.setBoth(id, v);
    throw new Refused("refused after both writes");
  }

  @Transactional(dontRollbackOn = IllegalArgumentException.class)
  public void writeBothThenIllegalArgument(int id, int v) throws Exception {
    stores.setBoth(id, v);
    throw new IllegalArgumentException("tolerated after both writes");
  }

  /** Outer work on row {@code outerId}, an inner REQUIRES_NEW on row {@code innerId}, then fail. */
  @Transactional
  public void outerWithInnerRequiresNewThenFail(int outerId, int innerId) throws Exception {
    stores.setBoth(outerId, 1);
    inner.requiresNew(innerId, 2);
    throw new IllegalStateException("outer fails after the inner committed");
  }

  /** A REQUIRES_NEW participant (another bean: Weld does not intercept self-invocation). */
  @ApplicationScoped
  public static class Inner {
    @Inject Stores stores;

    @Transactional(TxType.REQUIRES_NEW)
    public void requiresNew(int id, int v) throws Exception {
      stores.setBoth(id, v);
    }
  }

  /** Sleeps past the transaction timeout after writing, then returns normally. */
  @Transactional
  public void writeThenOverstay(int id, long sleepMillis) throws Exception {
    stores.setBoth(id, 7);
    Thread.sleep(sleepMillis);
  }
}
