package dev.xatm.cdi.beans;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.TransactionScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Observes the @TransactionScoped lifecycle events: (event, payload) in order. */
@ApplicationScoped
public class ScopeEventLog {
  private final List<Map.Entry<String, Object>> events = new CopyOnWriteArrayList<>();

  public List<Map.Entry<String, Object>> events() {
    return events;
  }

  void initialized(@Observes @Initialized(TransactionScoped.class) Object tx) {
    events.add(Map.entry("initialized", tx));
  }

  void beforeDestroyed(@Observes @BeforeDestroyed(TransactionScoped.class) Object tx) {
    events.add(Map.entry("beforeDestroyed", tx));
  }

  void destroyed(@Observes @Destroyed(TransactionScoped.class) Object tx) {
    events.add(Map.entry("destroyed", tx));
  }
}
