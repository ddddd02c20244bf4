package dev.xatm.cdi.beans;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionManager;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands for an application bean (a DataSource) that still needs the transaction manager while it
 * is destroyed: records whether a transaction could still begin and complete then.
 */
@ApplicationScoped
public class ClosesLast {
  public static final List<String> AT_DESTROY = new CopyOnWriteArrayList<>();

  @Inject TransactionManager tm;

  public void touch() {}

  @PreDestroy
  void destroy() {
    try {
      tm.begin();
      tm.rollback();
      AT_DESTROY.add("tm usable");
    } catch (Exception | Error e) {
      AT_DESTROY.add("tm unusable: " + e);
    }
  }
}
