package dev.xatm.snapshot;

import java.util.concurrent.CompletableFuture;

/**
 * What the checkpointer of {@link LogSnapshots} needs from the log's owner (the TM).
 * Implementations keep a live state updated in LSN order and capture it atomically with respect to
 * appends.
 *
 * <p>Threading: called from the checkpointer's thread while appenders run.
 */
public interface StateSource {

  /**
   * The state after exactly the records with LSN &le; {@link Capture#lsn()}: taken under the lock
   * that orders appends, so no record is half applied.
   *
   * @return the captured state and its L
   * @throws SnapshotException the state cannot be captured or serialized; no checkpoint is written
   */
  Capture capture() throws SnapshotException;

  /**
   * Forces every record appended so far (the WAL's {@code sync()}), through the owner so its LSN
   * bookkeeping stays exact.
   *
   * @return completes with an LSN at least as high as the last one appended once it is durable, or
   *     exceptionally when the sync fails
   */
  CompletableFuture<Long> sync();

  /**
   * {@return the bytes appended to the log since this process started (record headers included)}
   */
  long appendedBytes();

  /**
   * One captured state.
   *
   * @param lsn L, the LSN of the last record whose effect the payload contains
   * @param nodeId the log's node id
   * @param epoch the owner's epoch
   * @param payload the serialized state
   */
  record Capture(long lsn, String nodeId, long epoch, byte[] payload) {}
}
