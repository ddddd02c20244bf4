package dev.xatm.snapshot.internal;

import dev.xatm.snapshot.Checkpoint;
import dev.xatm.snapshot.CheckpointCorruptException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Encodes and verifies checkpoint files (snapshot/FORMAT.md is the contract). Pure functions;
 * thread-safe.
 */
public final class CheckpointFormat {
  /** ASCII {@code XATMCKPT}. */
  public static final byte[] MAGIC = "XATMCKPT".getBytes(StandardCharsets.US_ASCII);

  public static final int VERSION = 1;
  public static final int HEADER_SIZE = 68;
  public static final int TRAILER_SIZE = 4;
  public static final int MAX_NODE_ID = 32;

  /** Largest payload accepted; checked before any allocation when reading. */
  public static final int MAX_PAYLOAD = 256 * 1024 * 1024;

  public static final String PREFIX = "checkpoint-";
  public static final String SUFFIX = ".ckpt";
  public static final String TEMP_SUFFIX = ".ckpt.tmp";

  private CheckpointFormat() {}

  /** {@code checkpoint-%020d.ckpt}. */
  public static String fileName(long lsn) {
    return PREFIX + String.format("%020d", lsn) + SUFFIX;
  }

  /** The LSN a checkpoint file name carries, or -1 when it is not one. */
  public static long lsnOf(String name) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX) || name.length() != 36) {
      return -1;
    }
    long v = 0;
    for (int i = PREFIX.length(); i < PREFIX.length() + 20; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
      if (v < 0) {
        return -1;
      }
    }
    return v;
  }

  public static boolean isTemp(String name) {
    return name.startsWith(PREFIX) && name.endsWith(TEMP_SUFFIX);
  }

  /** The complete file image: header, payload, CRC32C over everything before it. */
  public static byte[] encode(long lsn, String nodeId, long epoch, byte[] payload) {
    byte[] node = nodeId.getBytes(StandardCharsets.US_ASCII);
    if (node.length < 1 || node.length > MAX_NODE_ID) {
      throw new IllegalArgumentException("node id must be 1..32 ASCII bytes: " + nodeId);
    }
    if (payload.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException(
          "checkpoint payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD);
    }
    if (lsn < 0 || epoch < 0) {
      throw new IllegalArgumentException("lsn and epoch must be >= 0: " + lsn + ", " + epoch);
    }
    ByteBuffer b =
        ByteBuffer.allocate(HEADER_SIZE + payload.length + TRAILER_SIZE)
            .order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC);
    b.putShort((short) VERSION);
    b.putShort((short) 0);
    b.putInt(payload.length);
    b.putLong(lsn);
    b.putLong(epoch);
    b.put((byte) node.length);
    b.put(node);
    b.position(HEADER_SIZE);
    b.put(payload);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, HEADER_SIZE + payload.length);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /**
   * Verifies a whole file image and returns the checkpoint it holds.
   *
   * @throws CheckpointCorruptException naming the file, offset and expected vs actual value
   */
  public static Checkpoint decode(Path file, byte[] image) throws CheckpointCorruptException {
    if (image.length < HEADER_SIZE + TRAILER_SIZE) {
      throw new CheckpointCorruptException(
          file,
          image.length,
          "file too short: expected at least "
              + (HEADER_SIZE + TRAILER_SIZE)
              + " bytes, actual "
              + image.length
              + " (torn write?)");
    }
    ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < MAGIC.length; i++) {
      if (image[i] != MAGIC[i]) {
        throw new CheckpointCorruptException(file, i, "bad magic: expected XATMCKPT");
      }
    }
    int version = Short.toUnsignedInt(b.getShort(8));
    if (version != VERSION) {
      throw new CheckpointCorruptException(
          file, 8, "unknown format version: expected " + VERSION + ", actual " + version);
    }
    long length = Integer.toUnsignedLong(b.getInt(12));
    long expectedLength = (long) image.length - HEADER_SIZE - TRAILER_SIZE;
    if (length != expectedLength) {
      throw new CheckpointCorruptException(
          file,
          12,
          "payload length "
              + length
              + " does not match the file size "
              + image.length
              + " (expected "
              + expectedLength
              + "; torn write?)");
    }
    int crcAt = HEADER_SIZE + (int) length;
    CRC32C crc = new CRC32C();
    crc.update(image, 0, crcAt);
    int expectedCrc = (int) crc.getValue();
    int actualCrc = b.getInt(crcAt);
    if (expectedCrc != actualCrc) {
      throw new CheckpointCorruptException(
          file,
          crcAt,
          String.format("CRC32C mismatch: expected %08x, actual %08x", expectedCrc, actualCrc));
    }
    long lsn = b.getLong(16);
    long named = lsnOf(file.getFileName().toString());
    if (named >= 0 && named != lsn) {
      throw new CheckpointCorruptException(
          file, 16, "LSN " + lsn + " does not match the file name's LSN " + named);
    }
    long epoch = b.getLong(24);
    int nodeLength = Byte.toUnsignedInt(image[32]);
    if (nodeLength < 1 || nodeLength > MAX_NODE_ID) {
      throw new CheckpointCorruptException(
          file, 32, "node id length must be 1..32, actual " + nodeLength);
    }
    String nodeId = new String(image, 33, nodeLength, StandardCharsets.US_ASCII);
    byte[] payload = new byte[(int) length];
    System.arraycopy(image, HEADER_SIZE, payload, 0, payload.length);
    return new Checkpoint(file, lsn, nodeId, epoch, payload);
  }
}
