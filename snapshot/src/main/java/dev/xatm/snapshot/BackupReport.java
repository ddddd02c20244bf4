package dev.xatm.snapshot;

import java.nio.file.Path;

/**
 * What one online backup did.
 *
 * @param target the backup directory
 * @param checkpointLsn L of the checkpoint in the backup (0: none, the log starts at LSN 1)
 * @param firstLsn first LSN the backup's segments may hold
 * @param lastLsn last valid LSN in the backup
 * @param linked files hard-linked
 * @param copied files copied (the active segment always; everything when links are impossible)
 * @param kept files already in the target from an earlier backup and reused
 * @param removed files of an earlier backup no longer needed, deleted
 * @param tornTail the torn tail at the end of the copied active segment, or {@code null}
 */
public record BackupReport(
    Path target,
    long checkpointLsn,
    long firstLsn,
    long lastLsn,
    int linked,
    int copied,
    int kept,
    int removed,
    String tornTail) {}
