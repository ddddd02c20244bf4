package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.transaction.xa.Xid;

/**
 * Prepared Xids of other nodes or other transaction managers that recovery's scans found, with when
 * each was first seen: never touched, but never hidden either (they hold locks; issue 14, "nothing
 * hidden"). Replaced per resource by each pass that scanned it; a resource a pass could not scan
 * keeps what the last scan found.
 *
 * <p>Thread-safe for readers (metrics); written under the engine's pass lock.
 */
final class ForeignXids {
  /** resourceId -> xid -> first seen. */
  private final Map<String, Map<String, Instant>> byResource = new ConcurrentHashMap<>();

  void replace(String resourceId, Set<String> xids, Instant now) {
    Map<String, Instant> before = byResource.getOrDefault(resourceId, Map.of());
    Map<String, Instant> next = new HashMap<>();
    for (String x : xids) {
      next.put(x, before.getOrDefault(x, now));
    }
    if (next.isEmpty()) {
      byResource.remove(resourceId);
    } else {
      byResource.put(resourceId, Map.copyOf(next));
    }
  }

  int count() {
    return byResource.values().stream().mapToInt(Map::size).sum();
  }

  Optional<Instant> oldest() {
    return byResource.values().stream().flatMap(m -> m.values().stream()).min(Instant::compareTo);
  }

  /** Why a prepared Xid is not node {@code nodeId}'s: the words of every report and listing. */
  static String reason(Xid raw, String nodeId) {
    if (raw.getFormatId() != XatmXid.FORMAT_ID) {
      return "foreign: format id 0x" + Integer.toHexString(raw.getFormatId()) + " is not xatm's";
    }
    Optional<Gtrid> g = Gtrid.fromBytes(raw.getGlobalTransactionId());
    if (g.isPresent() && !g.get().nodeId().equals(nodeId)) {
      return "foreign: xatm Xid of node '" + g.get().nodeId() + "', not this node";
    }
    return "foreign: xatm format id but not a well-formed xatm Xid";
  }
}
