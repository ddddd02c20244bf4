package dev.xatm.tm.recovery;

import java.util.Objects;

/**
 * One line of a recovery report.
 *
 * @param xid the Xid ({@code node/epoch/sequence#branch} for ours, {@code
 *     formatId:gtridHex:bqualHex} for foreign ones), or {@code "-"} for a line about a whole
 *     resource
 * @param resourceId the resource, or {@code "-"} when not known
 * @param logState what the log says about the gtrid
 * @param action what recovery did
 * @param result how it ended
 * @param reason why, in words (XA codes, what happens next); never contains a password
 */
public record RecoveryLine(
    String xid,
    String resourceId,
    RecoveryLogState logState,
    RecoveryAction action,
    RecoveryResult result,
    String reason) {
  /**
   * Checks that every component is set.
   *
   * @param xid the Xid as text, or {@code "-"}; not {@code null}
   * @param resourceId the resource, or {@code "-"}; not {@code null}
   * @param logState what the log says about the gtrid; not {@code null}
   * @param action what recovery did; not {@code null}
   * @param result how it ended; not {@code null}
   * @param reason why, in words; not {@code null}
   */
  public RecoveryLine {
    Objects.requireNonNull(xid, "xid");
    Objects.requireNonNull(resourceId, "resourceId");
    Objects.requireNonNull(logState, "logState");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(reason, "reason");
  }

  /** {@return true when this line needs another pass or an operator} */
  public boolean unresolved() {
    return result.unresolved();
  }

  @Override
  public String toString() {
    return xid
        + " @ "
        + resourceId
        + ": log "
        + logState
        + ", "
        + action
        + " -> "
        + result
        + " ("
        + reason
        + ")";
  }
}
