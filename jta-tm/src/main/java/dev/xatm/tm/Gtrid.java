package dev.xatm.tm;

import dev.xatm.wal.NodeIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The global transaction id of one xatm transaction: the node that began it, the epoch (start
 * count) of that node's log, and a sequence number within the epoch.
 *
 * <p>Byte layout (at most 50 bytes, within the 64 bytes XA allows): {@code 0x01 (layout version) |
 * nodeIdLength u8 | nodeId ASCII | epoch i64 BE | sequence i64 BE}. Written to the log and to
 * resources; the layout is stable (docs/tm-protocol.md).
 *
 * <p>Immutable and thread-safe; usable as a map key (it is the TSR transaction key).
 */
public record Gtrid(String nodeId, long epoch, long sequence) {
  static final byte LAYOUT_VERSION = 1;

  public Gtrid {
    NodeIds.validate(nodeId);
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch must be >= 1: " + epoch);
    }
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1: " + sequence);
    }
  }

  /** The bytes used as the XA global transaction id. A new array on every call. */
  public byte[] toBytes() {
    byte[] node = nodeId.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(2 + node.length + 16);
    b.put(LAYOUT_VERSION).put((byte) node.length).put(node).putLong(epoch).putLong(sequence);
    return b.array();
  }

  /**
   * Parses bytes written by {@link #toBytes()}; empty when the bytes have any other shape (an Xid
   * of another transaction manager, or damage). Never throws.
   */
  public static Optional<Gtrid> fromBytes(byte[] bytes) {
    if (bytes == null || bytes.length < 2 + 1 + 16 || bytes[0] != LAYOUT_VERSION) {
      return Optional.empty();
    }
    int nodeLength = bytes[1] & 0xff;
    if (nodeLength < 1 || nodeLength > NodeIds.MAX_LENGTH || bytes.length != 2 + nodeLength + 16) {
      return Optional.empty();
    }
    String node = new String(bytes, 2, nodeLength, StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.wrap(bytes, 2 + nodeLength, 16);
    long epoch = b.getLong();
    long sequence = b.getLong();
    try {
      return Optional.of(new Gtrid(node, epoch, sequence));
    } catch (IllegalArgumentException notOurs) {
      return Optional.empty();
    }
  }

  /** Readable form used in every log message: {@code node-a/3/1742}. */
  @Override
  public String toString() {
    return nodeId + "/" + epoch + "/" + sequence;
  }
}
