package dev.xatm.tm.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One row of a {@link DecisionMirror}: an encoded TM log record under a key.
 *
 * @param kind what the row holds
 * @param key the gtrid bytes (decisions), the epoch and incarnation as 12 bytes (starts) or the
 *     resource id in UTF-8 (resources)
 * @param aborted for a decision: it was settled as aborted (a tombstone, no record)
 * @param record the encoded TM log record ({@code Committing}, {@code EpochStarted} or {@code
 *     ResourceRegistered}); empty for a tombstone
 */
public record MirrorRow(Kind kind, byte[] key, boolean aborted, byte[] record) {
  /** What a row holds; the code is what the table stores. */
  public enum Kind {
    /** A process start: its epoch and incarnation. */
    START(1),
    /** A resource's recipe (URL, never a password). */
    RESOURCE(2),
    /** A commit decision (or a tombstone). */
    DECISION(3);

    private final int code;

    Kind(int code) {
      this.code = code;
    }

    /** {@return the code stored in the table} */
    public int code() {
      return code;
    }

    /**
     * {@return the kind of a stored code}
     *
     * @param code the stored code
     * @throws IllegalArgumentException an unknown code
     */
    public static Kind of(int code) {
      for (Kind k : values()) {
        if (k.code == code) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown mirror row kind " + code);
    }
  }

  /**
   * Checks that nothing is missing.
   *
   * @param kind what the row holds
   * @param key its key
   * @param aborted a tombstone
   * @param record the encoded record
   */
  public MirrorRow {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(record, "record");
  }

  /**
   * {@return a start row}
   *
   * @param epoch the start's epoch
   * @param incarnation the start's incarnation
   * @param record the encoded {@code EpochStarted}
   */
  public static MirrorRow start(long epoch, int incarnation, byte[] record) {
    byte[] key = java.nio.ByteBuffer.allocate(12).putLong(epoch).putInt(incarnation).array();
    return new MirrorRow(Kind.START, key, false, record);
  }

  /**
   * {@return a resource row}
   *
   * @param resourceId the resource id
   * @param record the encoded {@code ResourceRegistered}
   */
  public static MirrorRow resource(String resourceId, byte[] record) {
    return new MirrorRow(Kind.RESOURCE, resourceId.getBytes(StandardCharsets.UTF_8), false, record);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MirrorRow r
        && kind == r.kind
        && aborted == r.aborted
        && Arrays.equals(key, r.key)
        && Arrays.equals(record, r.record);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, aborted, Arrays.hashCode(key), Arrays.hashCode(record));
  }

  @Override
  public String toString() {
    return "MirrorRow[" + kind + (aborted ? ", aborted" : "") + ", " + key.length + " B key]";
  }
}
