package dev.xatm.wal;

/**
 * One segment file of the log, as listed by {@link Wal#segments()}.
 *
 * @param index absolute segment index (the file name)
 * @param firstLsn LSN of the first record the segment may hold
 * @param lastLsn LSN of its last record ({@code firstLsn - 1} when it holds none yet)
 * @param active true for the segment the writer is appending to (never deleted)
 */
public record SegmentInfo(long index, long firstLsn, long lastLsn, boolean active) {}
