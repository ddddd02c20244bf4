package dev.xatm.wal;

import java.util.List;

/**
 * What opening the log found on disk.
 *
 * @param segmentCount segments scanned
 * @param firstLsn lowest LSN present (0 when the log is empty)
 * @param lastLsn highest valid LSN (0 when the log is empty)
 * @param tornTail a description of the torn tail that was dropped, or {@code null} when the last
 *     segment ended cleanly
 * @param damage problems accepted because the config allowed opening a damaged log; empty in the
 *     normal strict mode
 */
public record OpenReport(
    int segmentCount, long firstLsn, long lastLsn, String tornTail, List<String> damage) {

  /**
   * Copies {@code damage} into an immutable list.
   *
   * @param segmentCount segments scanned
   * @param firstLsn lowest LSN present
   * @param lastLsn highest valid LSN
   * @param tornTail the torn tail dropped, or {@code null}
   * @param damage problems accepted; not {@code null}
   */
  public OpenReport {
    damage = List.copyOf(damage);
  }

  /** {@return true when the log was opened despite damage (operator override)} */
  public boolean damaged() {
    return !damage.isEmpty();
  }
}
