package dev.xatm.wal;

import java.util.List;

/**
 * What a read-only {@link Wal#verify} scan found.
 *
 * @param nodeId the node id in the segment headers ({@code null} when there are none)
 * @param segments the segments in index order (none marked active)
 * @param firstLsn lowest LSN present (0 when there are no records)
 * @param lastLsn highest valid LSN (0 when there are no records)
 * @param tornTail the torn tail at the end of the last segment, or {@code null}
 * @param damage damage accepted because the config allowed a damaged log; empty in strict mode
 */
public record WalVerification(
    String nodeId,
    List<SegmentInfo> segments,
    long firstLsn,
    long lastLsn,
    String tornTail,
    List<String> damage) {

  /**
   * Copies the lists into immutable ones.
   *
   * @param nodeId the node id in the segment headers, or {@code null}
   * @param segments the segments in index order; not {@code null}
   * @param firstLsn lowest LSN present
   * @param lastLsn highest valid LSN
   * @param tornTail the torn tail, or {@code null}
   * @param damage damage accepted; not {@code null}
   */
  public WalVerification {
    segments = List.copyOf(segments);
    damage = List.copyOf(damage);
  }
}
