package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transactions alive in this process (begun, not yet completed): what the reaper scans and what
 * recovery must leave alone (DESIGN §3: a Xid of the current epoch is never presumed aborted while
 * its transaction is alive). Thread-safe.
 */
public final class TxRegistry {
  private final Map<Gtrid, XatmTransaction> alive = new ConcurrentHashMap<>();

  void add(XatmTransaction tx) {
    alive.put(tx.gtrid(), tx);
  }

  void remove(XatmTransaction tx) {
    alive.remove(tx.gtrid(), tx);
  }

  public boolean isAlive(Gtrid gtrid) {
    return alive.containsKey(gtrid);
  }

  public int size() {
    return alive.size();
  }

  Collection<XatmTransaction> all() {
    return alive.values();
  }
}
