package dev.xatm.snapshot;

/**
 * What one checkpoint round did.
 *
 * @param lsn L of the checkpoint written, or of the last one when nothing was written
 * @param reason why the round ran
 * @param written whether a new checkpoint file was written (false: nothing new since the last one,
 *     or no trigger was due)
 * @param segmentsDeleted segments GC removed (or archived) after it
 */
public record CheckpointResult(
    long lsn, CheckpointReason reason, boolean written, int segmentsDeleted) {}
