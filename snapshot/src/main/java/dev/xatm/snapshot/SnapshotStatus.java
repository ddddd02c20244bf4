package dev.xatm.snapshot;

/**
 * Where the snapshot subsystem of one log stands.
 *
 * @param checkpointsWritten checkpoints written by this process
 * @param lastCheckpointLsn L of the newest checkpoint (the one replay would start from)
 * @param consecutiveFailures checkpoint rounds that failed in a row (0 after a success)
 * @param lastFailure what the last failed round said, or {@code null}
 * @param logBytes the log directory's size at the last measurement
 * @param refusal why new work is refused (the size cap), or {@code null}
 */
public record SnapshotStatus(
    long checkpointsWritten,
    long lastCheckpointLsn,
    int consecutiveFailures,
    String lastFailure,
    long logBytes,
    String refusal) {}
