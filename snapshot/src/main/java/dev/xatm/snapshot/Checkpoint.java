package dev.xatm.snapshot;

import java.nio.file.Path;

/**
 * A verified checkpoint: the state of the log's owner after every record with an LSN up to and
 * including {@link #lsn()}. The payload is opaque to this module.
 *
 * @param file the checkpoint file
 * @param lsn L: the state covers exactly the records with LSN &le; L
 * @param nodeId the node id of the log
 * @param epoch the owner's epoch when the checkpoint was taken
 * @param payload the serialized state (owned by the caller, not copied)
 */
public record Checkpoint(Path file, long lsn, String nodeId, long epoch, byte[] payload) {

  @Override
  public String toString() {
    return "Checkpoint["
        + file.getFileName()
        + ", L="
        + lsn
        + ", node="
        + nodeId
        + ", epoch="
        + epoch
        + ", "
        + payload.length
        + " bytes]";
  }
}
