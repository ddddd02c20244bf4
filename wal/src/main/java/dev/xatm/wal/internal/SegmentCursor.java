package dev.xatm.wal.internal;

import dev.xatm.wal.WalCorruptException;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalRecord;
import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.util.List;

/**
 * Reads records with {@code lsn >= fromLsn} across a snapshot of segments, each up to the end
 * offset known when the cursor was made, skipping the log's reserved records. Segments that an
 * operator accepted as damaged are read by resynchronising over their holes; anywhere else a record
 * that is not valid means the files changed after open, which is reported as corruption.
 *
 * <p>Threading: one thread at a time, like every {@link WalCursor}.
 */
final class SegmentCursor implements WalCursor {

  private final Storage storage;
  private final List<SegmentState> segments;
  private final long fromLsn;
  private final int maxRecordSize;
  private int next;
  private SegmentState segment;
  private StorageFile file;
  private SegmentReader reader;
  private long expected;

  SegmentCursor(Storage storage, List<SegmentState> segments, long fromLsn, int maxRecordSize) {
    this.storage = storage;
    this.segments = segments;
    this.fromLsn = fromLsn;
    this.maxRecordSize = maxRecordSize;
    int start = 0;
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).firstLsn() <= fromLsn) {
        start = i;
      }
    }
    this.next = start;
  }

  @Override
  public WalRecord next() throws WalException {
    try {
      while (true) {
        if (reader == null && !openNext()) {
          return null;
        }
        SegmentReader.Outcome o = reader.next(expected);
        if (o == SegmentReader.Outcome.RECORD) {
          expected++;
          if (reader.lsn() >= fromLsn && reader.type() < RecordCodec.FIRST_RESERVED_TYPE) {
            return new WalRecord(reader.lsn(), reader.type(), reader.copyPayload());
          }
          continue;
        }
        long at = reader.recordOffset();
        if (at + RecordCodec.HEADER_SIZE <= segment.endOffset() && segment.damaged()) {
          long later = reader.resync(expected);
          if (later >= 0) {
            expected = reader.lsn() + 1;
            if (reader.lsn() >= fromLsn && reader.type() < RecordCodec.FIRST_RESERVED_TYPE) {
              return new WalRecord(reader.lsn(), reader.type(), reader.copyPayload());
            }
            continue;
          }
        } else if (at + RecordCodec.HEADER_SIZE <= segment.endOffset()) {
          throw new WalCorruptException(
              "segment "
                  + segment.index()
                  + " ("
                  + segment.path()
                  + ") offset "
                  + at
                  + " changed after the log was opened: "
                  + (reader.damage() != null ? reader.damage() : o.toString())
                  + " (expected LSN "
                  + expected
                  + ")");
        }
        closeFile();
      }
    } catch (WalException e) {
      throw e;
    } catch (IOException e) {
      throw new WalException("WAL read failed in segment " + segment.index(), e);
    }
  }

  private boolean openNext() throws IOException {
    while (next < segments.size()) {
      segment = segments.get(next++);
      if (segment.lastLsn() < fromLsn && !segment.damaged()) {
        continue;
      }
      file = storage.openReadOnly(segment.path());
      boolean recorded = segment.maxRecordSize() > 0;
      reader =
          new SegmentReader(
              file,
              segment.endOffset(),
              recorded ? segment.maxRecordSize() : maxRecordSize,
              recorded,
              SegmentHeader.SIZE);
      expected = segment.firstLsn();
      return true;
    }
    return false;
  }

  private void closeFile() throws IOException {
    reader = null;
    if (file != null) {
      StorageFile f = file;
      file = null;
      f.close();
    }
  }

  @Override
  public void close() throws WalException {
    try {
      closeFile();
    } catch (IOException e) {
      throw new WalException("closing a WAL cursor failed", e);
    }
  }
}
