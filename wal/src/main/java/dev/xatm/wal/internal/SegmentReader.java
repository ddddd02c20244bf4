package dev.xatm.wal.internal;

import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment file in large chunks (1 MiB reads, not one syscall per record)
 * and classifies what it finds by the rules of FORMAT.md, "Reading rules".
 *
 * <p>Threading: one thread at a time. The reader does not own the file; the caller closes it. Every
 * I/O error propagates: nothing here turns an exception into "end of data".
 */
public final class SegmentReader {

  /** What {@link #next} found at the current position. */
  public enum Outcome {
    /** A valid record with the expected LSN; see {@link #lsn()}, {@link #copyPayload()}. */
    RECORD,
    /** A zero type byte, or fewer than a record header's bytes left. */
    END,
    /** A CRC-valid record with an LSN lower than expected: bytes of an earlier use. */
    STALE,
    /** A record that is not valid; see {@link #damage()}. */
    DAMAGED
  }

  static final int CHUNK = 1 << 20;

  private final StorageFile file;
  private final long limit;
  private final int maxRecordSize;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buf;
  private long bufStart;
  private int bufLen;
  private long position;

  private long recordOffset;
  private long lsn;
  private int type;
  private int payloadLength;
  private int payloadIndex;
  private String damage;

  /**
   * @param limit offset where the readable data ends (the file size, or a known end of data)
   * @param start offset of the first record
   */
  public SegmentReader(StorageFile file, long limit, int maxRecordSize, long start) {
    this.file = file;
    this.limit = limit;
    this.maxRecordSize = maxRecordSize;
    this.position = start;
    this.buf = RecordCodec.heap((int) Math.min(CHUNK, Math.max(limit, RecordCodec.HEADER_SIZE)));
  }

  /** Reads the record at the current position, expecting LSN {@code expectedLsn}. */
  public Outcome next(long expectedLsn) throws IOException {
    recordOffset = position;
    damage = null;
    if (limit - position < RecordCodec.HEADER_SIZE) {
      return Outcome.END;
    }
    int at = ensure(position, RecordCodec.HEADER_SIZE);
    int t = Byte.toUnsignedInt(buf.get(at + 16));
    if (t == RecordCodec.END_TYPE) {
      return Outcome.END;
    }
    long len = Integer.toUnsignedLong(buf.getInt(at));
    long room = limit - position - RecordCodec.HEADER_SIZE;
    if (len > maxRecordSize || len > room) {
      damage =
          "record length "
              + len
              + " exceeds "
              + (len > maxRecordSize ? "maxRecordSize " + maxRecordSize : room + " bytes left");
      return Outcome.DAMAGED;
    }
    at = ensure(position, RecordCodec.HEADER_SIZE + (int) len);
    byte[] a = buf.array();
    int stored = buf.getInt(at + 4);
    int computed = RecordCodec.crc(crc, a, at, a, at + RecordCodec.HEADER_SIZE, (int) len);
    if (stored != computed) {
      damage =
          "CRC mismatch: stored "
              + Integer.toHexString(stored)
              + ", computed "
              + Integer.toHexString(computed);
      return Outcome.DAMAGED;
    }
    lsn = buf.getLong(at + 8);
    type = t;
    payloadLength = (int) len;
    payloadIndex = at + RecordCodec.HEADER_SIZE;
    if (lsn < expectedLsn) {
      return Outcome.STALE;
    }
    if (lsn > expectedLsn) {
      damage = "LSN gap: expected " + expectedLsn + ", actual " + lsn;
      return Outcome.DAMAGED;
    }
    position += RecordCodec.HEADER_SIZE + len;
    return Outcome.RECORD;
  }

  /** Offset of the record (or damage) last examined by {@link #next}. */
  public long recordOffset() {
    return recordOffset;
  }

  /** Offset of the next record to read. */
  public long position() {
    return position;
  }

  public long lsn() {
    return lsn;
  }

  public int type() {
    return type;
  }

  public String damage() {
    return damage;
  }

  /** The payload of the last {@link Outcome#RECORD}, copied into a new array. */
  public byte[] copyPayload() {
    byte[] out = new byte[payloadLength];
    System.arraycopy(buf.array(), payloadIndex, out, 0, payloadLength);
    return out;
  }

  /** Offset of the first non-zero byte in {@code [from, limit)}, or -1 when all are zero. */
  public long firstNonZero(long from) throws IOException {
    long pos = from;
    while (pos < limit) {
      int n = (int) Math.min(buf.capacity(), limit - pos);
      int at = ensure(pos, n);
      int i = 0;
      for (; i + 8 <= n; i += 8) {
        if (buf.getLong(at + i) != 0) {
          break;
        }
      }
      for (; i < n; i++) {
        if (buf.get(at + i) != 0) {
          return pos + i;
        }
      }
      pos += n;
    }
    return -1;
  }

  /**
   * Searches every byte offset in {@code [from, limit)} for a CRC-valid record with an LSN of at
   * least {@code minLsn}. Returns its offset (and moves the reader there, with {@link #lsn()} set),
   * or -1. Cheap checks on length, type and LSN range come first, so garbage costs about one pass
   * over the bytes.
   */
  public long findLaterRecord(long from, long minLsn) throws IOException {
    long maxPlausibleLsn = minLsn + limit / RecordCodec.HEADER_SIZE + 1;
    long pos = from;
    while (limit - pos >= RecordCodec.HEADER_SIZE) {
      int n = (int) Math.min(buf.capacity(), limit - pos);
      int at = ensure(pos, n);
      int last = n - RecordCodec.HEADER_SIZE;
      for (int i = 0; i <= last; i++) {
        int b = at + i;
        if (buf.get(b + 16) == 0) {
          continue;
        }
        long candidateLsn = buf.getLong(b + 8);
        if (candidateLsn < minLsn || candidateLsn > maxPlausibleLsn) {
          continue;
        }
        long len = Integer.toUnsignedLong(buf.getInt(b));
        long offset = pos + i;
        if (len > maxRecordSize || len > limit - offset - RecordCodec.HEADER_SIZE) {
          continue;
        }
        if (crcValidAt(offset, (int) len)) {
          position = offset;
          next(candidateLsn); // loads it as the current record
          return offset;
        }
        at = ensure(pos, n); // crcValidAt may have moved the window
      }
      pos += last + 1;
    }
    return -1;
  }

  /** Moves to {@code offset} (used to resume after a record found by findLaterRecord). */
  public void seek(long offset) {
    position = offset;
  }

  private boolean crcValidAt(long offset, int len) throws IOException {
    ByteBuffer rec = RecordCodec.heap(RecordCodec.HEADER_SIZE + len);
    readFully(rec, offset);
    byte[] a = rec.array();
    return rec.getInt(4) == RecordCodec.crc(crc, a, 0, a, RecordCodec.HEADER_SIZE, len);
  }

  /**
   * Makes bytes {@code [offset, offset + n)} available in {@link #buf} and returns the index of
   * {@code offset} in it. {@code n} is already bounded by maxRecordSize and the limit.
   */
  private int ensure(long offset, int n) throws IOException {
    if (offset >= bufStart && offset + n <= bufStart + bufLen) {
      return (int) (offset - bufStart);
    }
    if (n > buf.capacity()) {
      buf = RecordCodec.heap(n);
    }
    buf.clear();
    buf.limit((int) Math.min(buf.capacity(), limit - offset));
    readFully(buf, offset);
    bufStart = offset;
    bufLen = buf.position();
    return 0;
  }

  private void readFully(ByteBuffer dst, long offset) throws IOException {
    long pos = offset;
    while (dst.hasRemaining()) {
      int r = file.read(dst, pos);
      if (r < 0) {
        throw new IOException(
            "unexpected end of file at offset " + pos + " (expected data up to " + limit + ")");
      }
      pos += r;
    }
  }
}
