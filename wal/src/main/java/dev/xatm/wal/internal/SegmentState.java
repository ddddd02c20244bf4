package dev.xatm.wal.internal;

import java.nio.file.Path;

/**
 * What the log knows about one segment on disk: where its records are and which LSNs they hold.
 * Immutable; the writer publishes a new instance as the active segment grows.
 *
 * @param index absolute segment index
 * @param path segment file
 * @param firstLsn LSN of the first record the segment may hold
 * @param lastLsn LSN of its last record ({@code firstLsn - 1} when it holds none)
 * @param endOffset offset just past its last record
 * @param damaged an operator accepted damage inside it; readers resynchronise over holes
 * @param maxRecordSize the record size limit recorded in its header, 0 for a format-1 segment
 */
public record SegmentState(
    long index,
    Path path,
    long firstLsn,
    long lastLsn,
    long endOffset,
    boolean damaged,
    int maxRecordSize) {

  SegmentState withEnd(long newLastLsn, long newEndOffset) {
    return new SegmentState(
        index, path, firstLsn, newLastLsn, newEndOffset, damaged, maxRecordSize);
  }
}
