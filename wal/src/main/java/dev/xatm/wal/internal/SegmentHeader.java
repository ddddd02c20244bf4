package dev.xatm.wal.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The 128-byte segment header (FORMAT.md, "Segment header").
 *
 * @param index absolute segment index, equal to the one in the file name
 * @param firstLsn LSN of the first record the segment may hold
 * @param createdMillis informational creation time
 * @param logId random id of the log directory, equal in every segment
 * @param segmentSize file size the writer created
 * @param nodeId node id of the transaction manager owning the log
 * @param damageAccepted an operator opened the log despite damage in earlier segments
 * @param maxRecordSize the record size limit the segment was written with (format 2); 0 for a
 *     format-1 segment, which does not record it
 * @param version the format version of the header (1 or 2); new segments are always written as
 *     {@link #FORMAT_VERSION}
 */
public record SegmentHeader(
    long index,
    long firstLsn,
    long createdMillis,
    UUID logId,
    int segmentSize,
    String nodeId,
    boolean damageAccepted,
    int maxRecordSize,
    int version) {

  public static final int SIZE = 128;

  /** The version this code writes. */
  public static final int FORMAT_VERSION = 2;

  /** The oldest version this code still reads (FORMAT.md, "Version history"). */
  public static final int OLDEST_READABLE_VERSION = 1;

  private static final int MAX_RECORD_SIZE_OFFSET = 93;

  /** A header of the current format. */
  public SegmentHeader(
      long index,
      long firstLsn,
      long createdMillis,
      UUID logId,
      int segmentSize,
      String nodeId,
      boolean damageAccepted,
      int maxRecordSize) {
    this(
        index,
        firstLsn,
        createdMillis,
        logId,
        segmentSize,
        nodeId,
        damageAccepted,
        maxRecordSize,
        FORMAT_VERSION);
  }

  /** The file size the writer preallocated (the 4-byte field is unsigned: 2 GiB fits). */
  public long preallocatedSize() {
    return Integer.toUnsignedLong(segmentSize);
  }

  static final byte[] MAGIC = "XATM-WAL".getBytes(StandardCharsets.US_ASCII);
  static final int FLAG_DAMAGE_ACCEPTED = 1;
  private static final int CRC_OFFSET = 124;
  private static final int NODE_ID_OFFSET = 61;
  private static final int NODE_ID_MAX = 32;

  /** Why a header could not be decoded; the message names field, expected and actual. */
  public static final class BadHeader extends Exception {
    private static final long serialVersionUID = 1L;
    final long offset;

    BadHeader(long offset, String message) {
      super(message);
      this.offset = offset;
    }
  }

  /** Encodes into a new little-endian buffer of {@link #SIZE} bytes, positioned at 0. */
  public ByteBuffer encode() {
    ByteBuffer b = RecordCodec.heap(SIZE);
    b.put(MAGIC);
    b.putShort((short) version);
    b.putShort((short) SIZE);
    b.putInt(damageAccepted ? FLAG_DAMAGE_ACCEPTED : 0);
    b.putLong(index);
    b.putLong(firstLsn);
    b.putLong(createdMillis);
    b.putLong(logId.getMostSignificantBits());
    b.putLong(logId.getLeastSignificantBits());
    b.putInt(segmentSize);
    byte[] node = nodeId.getBytes(StandardCharsets.US_ASCII);
    b.put((byte) node.length);
    b.put(node);
    if (version >= 2) {
      b.putInt(MAX_RECORD_SIZE_OFFSET, maxRecordSize);
    }
    b.putInt(CRC_OFFSET, crc(b));
    b.position(0).limit(SIZE);
    return b;
  }

  /** True when all {@link #SIZE} bytes are zero: a preallocated segment never taken into use. */
  public static boolean isBlank(ByteBuffer b) {
    for (int i = 0; i < SIZE; i++) {
      if (b.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Decodes the header in {@code b} (absolute positions 0..127, little-endian).
   *
   * @throws BadHeader naming the field, the expected and the actual value
   */
  public static SegmentHeader decode(ByteBuffer b) throws BadHeader {
    for (int i = 0; i < MAGIC.length; i++) {
      if (b.get(i) != MAGIC[i]) {
        throw new BadHeader(0, "bad magic: expected 'XATM-WAL', actual " + hex(b, 0, MAGIC.length));
      }
    }
    int version = Short.toUnsignedInt(b.getShort(8));
    if (version < OLDEST_READABLE_VERSION || version > FORMAT_VERSION) {
      throw new BadHeader(
          8,
          "unknown format version: expected "
              + OLDEST_READABLE_VERSION
              + ".."
              + FORMAT_VERSION
              + ", actual "
              + version);
    }
    int expectedCrc = b.getInt(CRC_OFFSET);
    int actualCrc = crc(b);
    if (expectedCrc != actualCrc) {
      throw new BadHeader(
          CRC_OFFSET,
          "header CRC mismatch: stored "
              + Integer.toHexString(expectedCrc)
              + ", computed "
              + Integer.toHexString(actualCrc));
    }
    int headerSize = Short.toUnsignedInt(b.getShort(10));
    if (headerSize != SIZE) {
      throw new BadHeader(10, "header size: expected " + SIZE + ", actual " + headerSize);
    }
    int flags = b.getInt(12);
    if ((flags & ~FLAG_DAMAGE_ACCEPTED) != 0) {
      throw new BadHeader(12, "unknown header flags: " + Integer.toHexString(flags));
    }
    long firstLsn = b.getLong(24);
    if (firstLsn < 1) {
      throw new BadHeader(24, "first LSN: expected >= 1, actual " + firstLsn);
    }
    int nodeLen = Byte.toUnsignedInt(b.get(60));
    if (nodeLen < 1 || nodeLen > NODE_ID_MAX) {
      throw new BadHeader(60, "node id length: expected 1..32, actual " + nodeLen);
    }
    byte[] node = new byte[nodeLen];
    b.get(NODE_ID_OFFSET, node);
    int maxRecordSize = 0;
    if (version >= 2) {
      maxRecordSize = b.getInt(MAX_RECORD_SIZE_OFFSET);
      long segmentSize = Integer.toUnsignedLong(b.getInt(56));
      if (maxRecordSize < 1 || maxRecordSize > segmentSize) {
        throw new BadHeader(
            MAX_RECORD_SIZE_OFFSET,
            "maxRecordSize: expected 1.." + segmentSize + ", actual " + maxRecordSize);
      }
    }
    return new SegmentHeader(
        b.getLong(16),
        firstLsn,
        b.getLong(32),
        new UUID(b.getLong(40), b.getLong(48)),
        b.getInt(56),
        new String(node, StandardCharsets.US_ASCII),
        (flags & FLAG_DAMAGE_ACCEPTED) != 0,
        maxRecordSize,
        version);
  }

  private static int crc(ByteBuffer b) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = b.duplicate();
    view.position(0).limit(CRC_OFFSET);
    crc.update(view);
    return (int) crc.getValue();
  }

  private static String hex(ByteBuffer b, int from, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < from + len; i++) {
      sb.append(String.format("%02x", b.get(i)));
    }
    return sb.toString();
  }
}
