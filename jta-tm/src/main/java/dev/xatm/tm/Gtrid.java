package dev.xatm.tm;

import dev.xatm.wal.NodeIds;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The global transaction id of one xatm transaction: the node that began it, the identity of the
 * log that decides it, the process start (incarnation) that handed it out, the epoch (start count)
 * of that log, and a sequence number within the epoch.
 *
 * <p>Byte layout 2 (written since issue 10; at most 62 bytes, within the 64 bytes XA allows):
 * {@code 0x02 | nodeIdLength u8 | nodeId ASCII | logId i64 BE | incarnation i32 BE | epoch i64 BE |
 * sequence i64 BE}. The log id is derived from the log's UUID (the same in every segment header, so
 * a log restored elsewhere keeps it): two processes configured with the same node id but with
 * different logs can tell their Xids apart. The incarnation is random per process start, so gtrids
 * stay unique even when a log lost its tail and hands out an epoch again.
 *
 * <p>Layout 1 (written before; still read): {@code 0x01 | nodeIdLength u8 | nodeId ASCII | epoch
 * i64 BE | sequence i64 BE}, without log id and incarnation ({@link #legacy()}; both read as 0).
 * docs/tm-protocol.md says how recovery treats each.
 *
 * <p>Immutable and thread-safe; usable as a map key (it is the TSR transaction key).
 *
 * @param nodeId the node that began the transaction
 * @param logId the identity of the log that decides it ({@code TxLog.logIdOf}); 0 in layout 1
 * @param incarnation the random id of the process start that handed it out; 0 in layout 1
 * @param epoch the log's start count, from 1
 * @param sequence the number within the epoch, from 1
 */
public record Gtrid(String nodeId, long logId, int incarnation, long epoch, long sequence) {
  static final byte LEGACY_LAYOUT = 1;
  static final byte LAYOUT_VERSION = 2;

  /**
   * Checks the parts.
   *
   * @param nodeId the node that began the transaction, by the rules of {@link NodeIds}
   * @param logId the log's identity; 0 for layout 1
   * @param incarnation the process start; 0 for layout 1
   * @param epoch the log's start count, from 1
   * @param sequence the number within the epoch, from 1
   * @throws IllegalArgumentException a part is out of range, or only one of {@code logId} and
   *     {@code incarnation} is 0
   */
  public Gtrid {
    NodeIds.validate(nodeId);
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch must be >= 1: " + epoch);
    }
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be >= 1: " + sequence);
    }
    if ((logId == 0) != (incarnation == 0)) {
      throw new IllegalArgumentException(
          "log id and incarnation are both 0 (layout 1) or both non-zero (layout 2)");
    }
  }

  /**
   * Creates a gtrid in the old layout 1 (no log identity): what versions before issue 10 wrote.
   *
   * @param nodeId the node that began the transaction
   * @param epoch the log's start count, from 1
   * @param sequence the number within the epoch, from 1
   */
  public Gtrid(String nodeId, long epoch, long sequence) {
    this(nodeId, 0, 0, epoch, sequence);
  }

  /** {@return true for a gtrid of layout 1, which carries no log identity} */
  public boolean legacy() {
    return logId == 0;
  }

  /** {@return the bytes used as the XA global transaction id; a new array on every call} */
  public byte[] toBytes() {
    byte[] node = nodeId.getBytes(StandardCharsets.US_ASCII);
    if (legacy()) {
      ByteBuffer b = ByteBuffer.allocate(2 + node.length + 16);
      b.put(LEGACY_LAYOUT).put((byte) node.length).put(node).putLong(epoch).putLong(sequence);
      return b.array();
    }
    ByteBuffer b = ByteBuffer.allocate(2 + node.length + 28);
    b.put(LAYOUT_VERSION).put((byte) node.length).put(node);
    b.putLong(logId).putInt(incarnation).putLong(epoch).putLong(sequence);
    return b.array();
  }

  /**
   * Parses bytes written by {@link #toBytes()} (either layout). Never throws.
   *
   * @param bytes a global transaction id; {@code null} gives empty
   * @return the gtrid, or empty when the bytes have any other shape (an Xid of another transaction
   *     manager, or damage)
   */
  public static Optional<Gtrid> fromBytes(byte[] bytes) {
    if (bytes == null || bytes.length < 2 + 1 + 16) {
      return Optional.empty();
    }
    byte layout = bytes[0];
    int tail = layout == LEGACY_LAYOUT ? 16 : layout == LAYOUT_VERSION ? 28 : -1;
    int nodeLength = bytes[1] & 0xff;
    if (tail < 0
        || nodeLength < 1
        || nodeLength > NodeIds.MAX_LENGTH
        || bytes.length != 2 + nodeLength + tail) {
      return Optional.empty();
    }
    String node = new String(bytes, 2, nodeLength, StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.wrap(bytes, 2 + nodeLength, tail);
    long logId = 0;
    int incarnation = 0;
    if (layout == LAYOUT_VERSION) {
      logId = b.getLong();
      incarnation = b.getInt();
      if (logId == 0 || incarnation == 0) {
        return Optional.empty();
      }
    }
    long epoch = b.getLong();
    long sequence = b.getLong();
    try {
      return Optional.of(new Gtrid(node, logId, incarnation, epoch, sequence));
    } catch (IllegalArgumentException notOurs) {
      return Optional.empty();
    }
  }

  /**
   * Readable form used in every log message: {@code node-a/3/1742} for layout 1, {@code
   * node-a/3/1742@<logId 16 hex>.<incarnation 8 hex>} for layout 2.
   */
  @Override
  public String toString() {
    String base = nodeId + "/" + epoch + "/" + sequence;
    return legacy() ? base : base + "@" + String.format("%016x.%08x", logId, incarnation);
  }

  /**
   * Parses what {@link #toString()} writes.
   *
   * @param s the readable form
   * @return the gtrid, or empty for anything else
   */
  public static Optional<Gtrid> parse(String s) {
    try {
      String ids = null;
      String base = s;
      int at = s.lastIndexOf('@');
      if (at >= 0) {
        ids = s.substring(at + 1);
        base = s.substring(0, at);
      }
      int second = base.lastIndexOf('/');
      int first = base.lastIndexOf('/', second - 1);
      String node = base.substring(0, first);
      long epoch = Long.parseLong(base.substring(first + 1, second));
      long sequence = Long.parseLong(base.substring(second + 1));
      if (ids == null) {
        return Optional.of(new Gtrid(node, epoch, sequence));
      }
      int dot = ids.indexOf('.');
      if (dot != 16 || ids.length() != 25) {
        return Optional.empty();
      }
      long logId = Long.parseUnsignedLong(ids.substring(0, dot), 16);
      int incarnation = Integer.parseUnsignedInt(ids.substring(dot + 1), 16);
      return Optional.of(new Gtrid(node, logId, incarnation, epoch, sequence));
    } catch (RuntimeException notOne) {
      return Optional.empty();
    }
  }
}
