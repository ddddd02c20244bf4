package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.XatmXid;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one pass's scans and calls established, for the Ends written after them ({@link
 * PassEndings}): which of our Xids each reachable resource still lists, which resources could not
 * be scanned, and which branches the pass committed or rolled back. One pass, one thread.
 */
final class PassFindings {
  /** Per resource scanned successfully: our Xids it still lists after this pass acted. */
  private final Map<String, Set<XatmXid>> stillListed = new HashMap<>();

  private final Set<String> failedResources = new HashSet<>();

  /** Branches of decided transactions finished in this pass (committed, confirmed, heuristic). */
  final Set<XatmXid> finished = new HashSet<>();

  /** Branches this pass rolled back (answered, or confirmed by a fresh scan). */
  final Set<XatmXid> rolledBack = new HashSet<>();

  void scanned(String resourceId, Set<XatmXid> stillPrepared) {
    stillListed.put(resourceId, stillPrepared);
  }

  void markUnreachable(String resourceId) {
    failedResources.add(resourceId);
  }

  boolean isUnreachable(String resourceIdOrNull) {
    return resourceIdOrNull != null && failedResources.contains(resourceIdOrNull);
  }

  boolean anyUnreachable() {
    return !failedResources.isEmpty();
  }

  /** What {@code resourceId}'s scan still listed, or null when it was not scanned. */
  Set<XatmXid> stillListedBy(String resourceId) {
    return stillListed.get(resourceId);
  }

  /** Whether any scanned resource still lists {@code x}. */
  boolean listedAnywhere(XatmXid x) {
    return stillListed.values().stream().anyMatch(s -> s.contains(x));
  }
}
