package dev.xatm.cdi.beans;

import jakarta.annotation.PreDestroy;
import jakarta.transaction.TransactionScoped;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A transaction-scoped bean that records its own creation and destruction. */
@TransactionScoped
public class TxScopedCounter implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Identity of each destroyed instance, in order (static: instances come and go). */
  public static final List<Integer> DESTROYED = new CopyOnWriteArrayList<>();

  private static final AtomicInteger IDS = new AtomicInteger();
  private final int id = IDS.incrementAndGet();
  private int count;

  public int id() {
    return id;
  }

  public int increment() {
    return ++count;
  }

  /**
   * An intercepted method on a passivating bean: the container accepts it only if the interceptor
   * and what it injects are passivation capable.
   */
  @Transactional(TxType.MANDATORY)
  public int incrementInTransaction() {
    return increment();
  }

  @PreDestroy
  void destroyed() {
    DESTROYED.add(id);
  }
}
