package dev.xatm.tm.log;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One branch of a transaction as the log records it.
 *
 * @param resourceId the {@code ResourceDescriptor#resourceId()} of the resource, or {@code null}
 *     when the enlisted XAResource did not identify itself (recovery then reaches it only through
 *     resources configured in properties)
 * @param bqual the exact branch qualifier bytes sent to the resource
 */
public record Branch(String resourceId, byte[] bqual) {

  /**
   * Checks and copies the branch qualifier.
   *
   * @param resourceId the resource's id, or {@code null}
   * @param bqual the branch qualifier, 1 to 64 bytes; copied
   * @throws IllegalArgumentException {@code bqual} is {@code null}, empty or longer than 64 bytes
   */
  public Branch {
    if (bqual == null || bqual.length == 0 || bqual.length > 64) {
      throw new IllegalArgumentException("bqual must be 1..64 bytes");
    }
    bqual = bqual.clone();
  }

  /** {@return the branch qualifier bytes; a new array on every call} */
  @Override
  public byte[] bqual() {
    return bqual.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Branch b
        && java.util.Objects.equals(b.resourceId, resourceId)
        && Arrays.equals(b.bqual, bqual);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hashCode(resourceId) * 31 + Arrays.hashCode(bqual);
  }

  @Override
  public String toString() {
    return "Branch[" + resourceId + ", bqual=" + HexFormat.of().formatHex(bqual) + "]";
  }
}
