package dev.xatm.wal.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Record framing (FORMAT.md, "Record"): {@code length u32 | crc32c u32 | lsn u64 | type u8 |
 * payload}, little-endian, CRC over length, lsn, type and payload.
 *
 * <p>Threading: stateless static methods; the caller supplies the {@link CRC32C}, which is not
 * thread-safe.
 */
public final class RecordCodec {

  /** Bytes before the payload. */
  public static final int HEADER_SIZE = 17;

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
    crc.reset();
    crc.update(a, off, 4);
    crc.update(a, off + 8, 9);
    crc.update(payload, payloadOff, length);
    return (int) crc.getValue();
  }

  /** Frames records into a buffer without allocating. One per writer thread: not thread-safe. */
  public static final class Encoder {
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[HEADER_SIZE];
    private final ByteBuffer headerView = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);

    /** Appends one framed record to {@code out}, which must have room for it. */
    public void encode(ByteBuffer out, long lsn, int type, byte[] payload) {
      headerView.putInt(0, payload.length);
      headerView.putLong(8, lsn);
      header[16] = (byte) type;
      headerView.putInt(4, crc(crc, header, 0, payload, 0, payload.length));
      out.put(header).put(payload);
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
