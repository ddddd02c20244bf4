package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.recovery.InDoubtXid;
import dev.xatm.tm.recovery.RecoveryLine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Xids recovery's scans found and could not resolve, per resource: the one piece of recovery
 * state no log record holds (it is what the resources said). Replaced per resource by each pass
 * that scanned it; entries of a resource a pass could not scan are kept.
 *
 * <p>Thread-safe for readers (metrics, {@code inDoubt()}); written under the engine's pass lock.
 */
final class InDoubtTable {
  /** An in-doubt Xid with what an operator action needs. */
  record Entry(InDoubtXid view, XatmXid xid) {}

  /** resourceId -> xid -> entry. */
  private final Map<String, Map<String, Entry>> byResource = new ConcurrentHashMap<>();

  /** The entry for a report line, keeping when the Xid was first seen. */
  Entry entry(RecoveryLine l, XatmXid x, Instant now) {
    Entry previous = byResource.getOrDefault(l.resourceId(), Map.of()).get(l.xid());
    Instant first = previous == null ? now : previous.view().firstSeen();
    return new Entry(
        new InDoubtXid(l.xid(), l.resourceId(), l.logState(), l.result(), l.reason(), first), x);
  }

  /** Adds entries for a resource this pass could not scan, keeping what earlier scans found. */
  void add(String resourceId, Map<String, Entry> entries) {
    Map<String, Entry> merged = new LinkedHashMap<>(byResource.getOrDefault(resourceId, Map.of()));
    merged.putAll(entries);
    byResource.put(resourceId, merged);
  }

  /** What a scan of the resource found unresolved, replacing what earlier scans found. */
  void replace(String resourceId, Map<String, Entry> entries) {
    if (entries.isEmpty()) {
      byResource.remove(resourceId);
    } else {
      byResource.put(resourceId, new LinkedHashMap<>(entries));
    }
  }

  List<InDoubtXid> list() {
    List<InDoubtXid> out = new ArrayList<>();
    for (Map<String, Entry> m : byResource.values()) {
      m.values().forEach(e -> out.add(e.view()));
    }
    return List.copyOf(out);
  }

  /**
   * @throws IllegalArgumentException {@code xidString} is not in doubt, naming those that are
   */
  Entry find(String xidString) {
    for (Map<String, Entry> m : byResource.values()) {
      Entry e = m.get(xidString);
      if (e != null) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        xidString
            + " is not in doubt (in doubt now: "
            + list().stream().map(InDoubtXid::xid).toList()
            + ")");
  }

  void remove(String resourceId, String xid) {
    Map<String, Entry> m = byResource.get(resourceId);
    if (m != null) {
      m.remove(xid);
      if (m.isEmpty()) {
        byResource.remove(resourceId);
      }
    }
  }

  /** The branches of {@code g} in doubt anywhere. */
  List<Branch> branchesOf(Gtrid g) {
    List<Branch> out = new ArrayList<>();
    for (Map<String, Entry> m : byResource.values()) {
      for (Entry e : m.values()) {
        if (e.xid().gtrid().equals(g)) {
          out.add(new Branch(e.view().resourceId(), e.xid().getBranchQualifier()));
        }
      }
    }
    return out;
  }
}
