package dev.xatm.wal.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Record framing (FORMAT.md, "Record"): {@code length u32 | crc32c u32 | lsn u64 | type u8 |
 * payload | end mark u8} (format 2; format 1 has no end mark), little-endian, CRC over length, lsn,
 * type, payload and end mark. The fixed non-zero end mark makes "every byte of the record was
 * written" independent of what the payload ends with.
 *
 * <p>Threading: stateless static methods; the caller supplies the {@link CRC32C}, which is not
 * thread-safe.
 */
public final class RecordCodec {

  /** Bytes before the payload. */
  public static final int HEADER_SIZE = 17;

  /**
   * The last byte of every format-2 record, inside its CRC. Non-zero with four bits set, so a torn
   * write (unwritten bytes are zero) is told from a complete record whatever its payload ends with,
   * and no single flipped bit makes it zero.
   */
  public static final byte END_MARK = (byte) 0xA5;

  /** Bytes of the end mark in a format-2 record (format 1: none). */
  public static final int END_MARK_SIZE = 1;

  /** Type byte that marks the end of data (zeroed, preallocated space). */
  public static final int END_TYPE = 0;

  /** First type reserved for the log itself (FORMAT.md, "Reserved types"). */
  public static final int FIRST_RESERVED_TYPE = 240;

  /** Written, forced, as the first record of a segment opened with {@code openDamaged}. */
  public static final int TYPE_DAMAGE_ACCEPTED = 240;

  /** Empty, forced: written by {@code Wal.sync()} to force records appended unforced. */
  public static final int TYPE_SYNC = 241;

  private RecordCodec() {}

  /**
   * CRC of a record given its header bytes at {@code off} in {@code a} and its payload at {@code
   * payloadOff}.
   */
  public static int crc(CRC32C crc, byte[] a, int off, byte[] payload, int payloadOff, int length) {
    return crc(crc, a, off, payload, payloadOff, length, 0);
  }

  /**
   * As {@link #crc(CRC32C, byte[], int, byte[], int, int)}, and over the {@code endMark} bytes that
   * follow the payload in {@code payload} (0 for format 1, {@link #END_MARK_SIZE} for format 2).
   */
  public static int crc(
      CRC32C crc, byte[] a, int off, byte[] payload, int payloadOff, int length, int endMark) {
    crc.reset();
    crc.update(a, off, 4);
    crc.update(a, off + 8, 9);
    crc.update(payload, payloadOff, length + endMark);
    return (int) crc.getValue();
  }

  /** Bytes of a format-2 record with a payload of {@code payloadLength} bytes. */
  public static int frameSize(int payloadLength) {
    return HEADER_SIZE + payloadLength + END_MARK_SIZE;
  }

  /** Frames records into a buffer without allocating. One per writer thread: not thread-safe. */
  public static final class Encoder {
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[HEADER_SIZE];
    private final ByteBuffer headerView = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);

    private final byte[] endMark = {END_MARK};

    /** Appends one framed format-2 record to {@code out}, which must have room for it. */
    public void encode(ByteBuffer out, long lsn, int type, byte[] payload) {
      headerView.putInt(0, payload.length);
      headerView.putLong(8, lsn);
      header[16] = (byte) type;
      crc.reset();
      crc.update(header, 0, 4);
      crc.update(header, 8, 9);
      crc.update(payload, 0, payload.length);
      crc.update(endMark, 0, END_MARK_SIZE);
      headerView.putInt(4, (int) crc.getValue());
      out.put(header).put(payload).put(END_MARK);
    }
  }

  /** A little-endian heap buffer. */
  public static ByteBuffer heap(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** A little-endian direct buffer. */
  public static ByteBuffer direct(int capacity) {
    return ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }
}
