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

  /** What a record that is not valid looks like (FORMAT.md, "Reading rules"). */
  public enum Shape {
    /**
     * Its length is out of bounds and nothing says the bytes are a record of ours (non-zero garbage
     * after the end): no extent can be trusted; a torn-write candidate.
     */
    BAD_LENGTH(false),
    /** CRC valid: a complete record with the wrong LSN (a gap, or a stale copy). */
    VALID_FRAME(true),
    /**
     * The CRC matches once one bit of the stored length is flipped back: a damaged length, in
     * bounds or not.
     */
    FLIPPED_LENGTH(true),
    /**
     * Its length is out of bounds, yet its header carries the expected LSN: a record of ours whose
     * length is damaged. A torn write into zero-filled space leaves a length's unwritten bytes
     * zero, which only lowers it, and the writer wrote it in bounds.
     */
    LENGTH_OUT_OF_BOUNDS(true),
    /**
     * Every byte of its extent was written (no zero sector; its last byte, the end mark in format
     * 2, non-zero): damage.
     */
    FULLY_PRESENT(true),
    /** Its extent ends in zeros or holds a zero sector: what a torn write leaves. */
    TORN(false);

    private final boolean damage;

    Shape(boolean damage) {
      this.damage = damage;
    }

    /** True when a torn write cannot leave this shape: refused (reported under openDamaged). */
    public boolean isDamage() {
      return damage;
    }
  }

  static final int CHUNK = 1 << 20;

  /** The smallest unit a disk writes; a torn write leaves whole sectors unwritten (zero). */
  static final int SECTOR = 512;

  private final StorageFile file;
  private final long limit;
  private final int maxRecordSize;
  private final boolean limitRecorded;
  private final int endMark; // bytes of the end mark after the payload: 1 (format 2) or 0
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
  private long storedLength;
  private long examinedExpectedLsn; // what next() expected at recordOffset
  private long settingTooSmall;
  private boolean laterValid; // the record examined is CRC-valid with a higher LSN: resume at it

  /**
   * A reader of a format-2 segment ({@code limitRecorded}: records end with the end mark) or of a
   * format-1 segment.
   *
   * @param limit offset where the readable data ends (the file size, or a known end of data)
   * @param maxRecordSize the record size limit the segment was written with (format 2), or the
   *     configured one for a format-1 segment
   * @param limitRecorded true when {@code maxRecordSize} comes from the segment header (format 2);
   *     false (format 1) when a longer CRC-valid record may exist and means the setting was lowered
   * @param start offset of the first record
   */
  public SegmentReader(
      StorageFile file, long limit, int maxRecordSize, boolean limitRecorded, long start) {
    this(file, limit, maxRecordSize, limitRecorded, limitRecorded ? 2 : 1, start);
  }

  /**
   * As above with the record layout chosen apart from the limit: {@code format} 2 records end with
   * {@link RecordCodec#END_MARK}, format 1 records do not.
   */
  public SegmentReader(
      StorageFile file,
      long limit,
      int maxRecordSize,
      boolean limitRecorded,
      int format,
      long start) {
    this.endMark = format >= 2 ? RecordCodec.END_MARK_SIZE : 0;
    this.file = file;
    this.limit = limit;
    this.maxRecordSize = maxRecordSize;
    this.limitRecorded = limitRecorded;
    this.position = start;
    this.buf = RecordCodec.heap((int) Math.min(CHUNK, Math.max(limit, RecordCodec.HEADER_SIZE)));
  }

  /** Reads the record at the current position, expecting LSN {@code expectedLsn}. */
  public Outcome next(long expectedLsn) throws IOException {
    recordOffset = position;
    examinedExpectedLsn = expectedLsn;
    damage = null;
    storedLength = -1;
    settingTooSmall = 0;
    laterValid = false;
    if (limit - position < RecordCodec.HEADER_SIZE) {
      return Outcome.END;
    }
    int at = ensure(position, RecordCodec.HEADER_SIZE);
    int t = Byte.toUnsignedInt(buf.get(at + 16));
    if (t == RecordCodec.END_TYPE) {
      return Outcome.END;
    }
    long len = Integer.toUnsignedLong(buf.getInt(at));
    long room = limit - position - RecordCodec.HEADER_SIZE - endMark;
    storedLength = len;
    if (!limitRecorded && len > maxRecordSize && len <= room && crcValidAt(position, (int) len)) {
      settingTooSmall = len; // format 1: a valid record longer than today's setting
    }
    if (len > maxRecordSize || len > room) {
      damage =
          "record length "
              + len
              + " exceeds "
              + (len > maxRecordSize ? "maxRecordSize " + maxRecordSize : room + " bytes left");
      return Outcome.DAMAGED;
    }
    at = ensure(position, RecordCodec.HEADER_SIZE + (int) len + endMark);
    byte[] a = buf.array();
    int stored = buf.getInt(at + 4);
    int computed = RecordCodec.crc(crc, a, at, a, at + RecordCodec.HEADER_SIZE, (int) len, endMark);
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
      laterValid = true;
      return Outcome.DAMAGED;
    }
    position += RecordCodec.HEADER_SIZE + len + endMark;
    return Outcome.RECORD;
  }

  /**
   * After {@link Outcome#DAMAGED} on a format-1 segment: the length of a CRC-valid record longer
   * than the configured maxRecordSize (a setting lowered since it was written), else 0.
   */
  public long settingTooSmall() {
    return settingTooSmall;
  }

  /**
   * Classifies the record last examined by {@link #next} when it was not valid (FORMAT.md, "Reading
   * rules"): whether it can be a torn write or must be damage.
   */
  public Shape shape() throws IOException {
    long len = storedLength;
    if (len < 0) {
      return Shape.BAD_LENGTH;
    }
    boolean inBounds = len <= maxRecordSize && len <= roomAt(recordOffset);
    if (inBounds && crcValidAt(recordOffset, (int) len)) {
      return Shape.VALID_FRAME;
    }
    // Before an out-of-bounds length is taken for a torn write: a torn write into zero-filled
    // space can only make bytes zero, so it lowers a length, never pushes it out of bounds.
    for (int bit = 0; bit < 32; bit++) {
      long flipped = len ^ (1L << bit);
      if (flipped <= maxRecordSize
          && flipped <= roomAt(recordOffset)
          && crcValidWithLength(recordOffset, (int) flipped)) {
        damage +=
            "; the stored length " + len + " is damaged (the CRC matches length " + flipped + ")";
        return Shape.FLIPPED_LENGTH;
      }
    }
    if (!inBounds) {
      // The bound the writer obeyed: the segment's recorded limit (format 2) or the file. A
      // format-1 segment does not record its limit, so a torn record longer than today's setting
      // may be one of ours: a candidate, as before.
      boolean writerBound = limitRecorded || len > roomAt(recordOffset);
      if (writerBound && headerLsn() == examinedExpectedLsn) {
        damage +=
            "; yet the header carries the expected LSN "
                + examinedExpectedLsn
                + ": the stored length "
                + len
                + " is damaged (a torn write never raises a length, its unwritten bytes are zero)";
        return Shape.LENGTH_OUT_OF_BOUNDS;
      }
      return Shape.BAD_LENGTH;
    }
    long end = recordOffset + RecordCodec.HEADER_SIZE + len + endMark;
    // Format 2: the last byte is the end mark, non-zero in every record written, so a zero there
    // means the write did not reach the end, whatever the payload ends with. Format 1 has no end
    // mark: its last payload byte decides (a payload ending in 0x00 reads as torn).
    ByteBuffer last = RecordCodec.heap(1);
    readFully(last, end - 1);
    if (last.get(0) == 0) {
      return Shape.TORN;
    }
    for (long s = (recordOffset + SECTOR - 1) / SECTOR * SECTOR; s + SECTOR <= end; s += SECTOR) {
      if (allZero(s, SECTOR)) {
        return Shape.TORN;
      }
    }
    damage +=
        "; every byte of the record is present (no zero sector in it), so it is not a torn write";
    return Shape.FULLY_PRESENT;
  }

  /**
   * After {@link Outcome#END} at a zero type byte with non-zero bytes after it: whether the bytes
   * there are a record whose type byte alone was damaged to 0, i.e. CRC-valid and in bounds with
   * some type 1..255 (FORMAT.md, "Reading rules"). Then {@link #damage()} names the type, LSN and
   * length. A torn write leaves no such frame: its unwritten bytes are zero, so the CRC of a record
   * it cut does not match, whatever the type.
   */
  public boolean damagedType() throws IOException {
    if (limit - recordOffset < RecordCodec.HEADER_SIZE) {
      return false;
    }
    int at = ensure(recordOffset, RecordCodec.HEADER_SIZE);
    long len = Integer.toUnsignedLong(buf.getInt(at));
    if (buf.get(at + 16) != RecordCodec.END_TYPE
        || len > maxRecordSize
        || len > roomAt(recordOffset)) {
      return false;
    }
    ByteBuffer rec = RecordCodec.heap(RecordCodec.HEADER_SIZE + (int) len + endMark);
    readFully(rec, recordOffset);
    byte[] a = rec.array();
    // CRC32C is affine in its input: for records of equal length that differ only in the type
    // byte, crc(type t) = crc(type 0) ^ XOR over the bits b of t of (crc(type 1 << b) ^ crc(type
    // 0)). Nine passes decide all 255 types.
    int zero = RecordCodec.crc(crc, a, 0, a, RecordCodec.HEADER_SIZE, (int) len, endMark);
    int[] bitEffect = new int[8];
    for (int b = 0; b < 8; b++) {
      a[16] = (byte) (1 << b);
      bitEffect[b] =
          zero ^ RecordCodec.crc(crc, a, 0, a, RecordCodec.HEADER_SIZE, (int) len, endMark);
    }
    a[16] = 0;
    int stored = rec.getInt(4);
    for (int t = 1; t <= 255; t++) {
      int c = zero;
      for (int b = 0; b < 8; b++) {
        if ((t & (1 << b)) != 0) {
          c ^= bitEffect[b];
        }
      }
      if (c == stored) {
        damage =
            "type byte 0 (end of data) followed by non-zero bytes, but the record there is valid"
                + " with type "
                + t
                + " (LSN "
                + rec.getLong(8)
                + ", length "
                + len
                + "): its type byte is damaged, this is not the end of the log";
        return true;
      }
    }
    return false;
  }

  /**
   * Where a search for the next record starts after the record last examined: past its extent when
   * its length is in bounds (a frame inside the payload of a record is not a later record), else
   * the next byte.
   */
  public long searchStart() {
    if (laterValid) {
      return recordOffset;
    }
    long len = storedLength;
    if (len >= 0 && len <= maxRecordSize && len <= roomAt(recordOffset)) {
      return recordOffset + RecordCodec.HEADER_SIZE + len + endMark;
    }
    return recordOffset + 1;
  }

  /**
   * Resynchronises after the record last examined was not valid: the next CRC-valid record at or
   * after {@link #searchStart()} whose LSN is at least {@code expectedLsn}, skipping stale copies
   * of earlier records. Returns its offset with it loaded as the current record (and the reader
   * past it), or -1. The open scan and the cursors of damaged segments use this one rule, so they
   * agree on which records a damaged segment holds.
   */
  public long resync(long expectedLsn) throws IOException {
    long from = searchStart();
    while (true) {
      long at = findFrame(from, 1, expectedLsn);
      if (at < 0) {
        return -1;
      }
      if (lsn >= expectedLsn) {
        return at;
      }
      from = searchStart(); // a stale copy: skip it whole
    }
  }

  /** The LSN field of the record last examined, whatever its length and CRC. */
  private long headerLsn() throws IOException {
    int at = ensure(recordOffset, RecordCodec.HEADER_SIZE);
    return buf.getLong(at + 8);
  }

  /** The most payload bytes a record at {@code offset} can have and still fit before the limit. */
  private long roomAt(long offset) {
    return limit - offset - RecordCodec.HEADER_SIZE - endMark;
  }

  private boolean allZero(long from, int n) throws IOException {
    int at = ensure(from, n);
    for (int i = 0; i < n; i++) {
      if (buf.get(at + i) != 0) {
        return false;
      }
    }
    return true;
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
   * Searches every byte offset in {@code [from, limit)} for a CRC-valid record with an LSN in
   * {@code [minLsn, expectedLsn + limit / 17 + 1]}. Returns its offset (and moves the reader there
   * and past it, with {@link #lsn()} set), or -1. Cheap checks on type, LSN range and length come
   * first, so garbage costs about one pass over the bytes.
   */
  public long findFrame(long from, long minLsn, long expectedLsn) throws IOException {
    long maxPlausibleLsn = expectedLsn + limit / RecordCodec.HEADER_SIZE + 1;
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
        if (len > maxRecordSize || len > roomAt(offset)) {
          continue;
        }
        if (crcValidAt(offset, (int) len)) {
          position = offset;
          Outcome o = next(candidateLsn); // loads it as the current record
          if (o != Outcome.RECORD) {
            throw new IllegalStateException("a CRC-valid frame did not load: " + o);
          }
          return offset;
        }
        at = ensure(pos, n); // crcValidAt may have moved the window
      }
      pos += last + 1;
    }
    return -1;
  }

  /** Moves to {@code offset} (used to resume after a record found by a search). */
  public void seek(long offset) {
    position = offset;
  }

  private boolean crcValidAt(long offset, int len) throws IOException {
    ByteBuffer rec = RecordCodec.heap(RecordCodec.HEADER_SIZE + len + endMark);
    readFully(rec, offset);
    byte[] a = rec.array();
    return rec.getInt(4) == RecordCodec.crc(crc, a, 0, a, RecordCodec.HEADER_SIZE, len, endMark);
  }

  /** Whether the record at {@code offset} is CRC-valid when its length field reads {@code len}. */
  private boolean crcValidWithLength(long offset, int len) throws IOException {
    ByteBuffer rec = RecordCodec.heap(RecordCodec.HEADER_SIZE + len + endMark);
    readFully(rec, offset);
    rec.putInt(0, len);
    byte[] a = rec.array();
    return rec.getInt(4) == RecordCodec.crc(crc, a, 0, a, RecordCodec.HEADER_SIZE, len, endMark);
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
