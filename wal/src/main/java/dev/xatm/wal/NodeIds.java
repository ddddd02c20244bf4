package dev.xatm.wal;

import java.nio.charset.StandardCharsets;

/** The rules for a node id: 1..32 bytes of printable ASCII without spaces. */
public final class NodeIds {
  /** Longest node id in bytes, so that node id + epoch + sequence fit in a 64-byte gtrid. */
  public static final int MAX_LENGTH = 32;

  private NodeIds() {}

  /**
   * Checks a node id against the rules above.
   *
   * @param nodeId the node id to check; {@code null} is refused
   * @return {@code nodeId} itself, so a call can be used in an assignment
   * @throws IllegalArgumentException naming the bad node id and the rule it breaks
   */
  public static String validate(String nodeId) {
    if (nodeId == null || nodeId.isEmpty()) {
      throw new IllegalArgumentException("node id must not be empty");
    }
    byte[] bytes = nodeId.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "node id '" + nodeId + "' is " + bytes.length + " bytes; at most " + MAX_LENGTH);
    }
    for (int i = 0; i < nodeId.length(); i++) {
      char c = nodeId.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new IllegalArgumentException(
            "node id '" + nodeId + "' has a character outside printable ASCII at index " + i);
      }
    }
    return nodeId;
  }
}
