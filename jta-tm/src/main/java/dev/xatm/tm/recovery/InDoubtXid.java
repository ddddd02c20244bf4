package dev.xatm.tm.recovery;

import java.time.Instant;

/**
 * An Xid of this node that a resource listed as prepared and that recovery has not resolved.
 *
 * @param xid as in {@link RecoveryLine#xid()}; pass it to {@link RecoveryService#commitInDoubt} or
 *     {@link RecoveryService#rollbackInDoubt}
 * @param resourceId the resource that holds it
 * @param logState what the log says about its gtrid
 * @param result why it is not resolved ({@link RecoveryResult#IN_DOUBT}, {@link
 *     RecoveryResult#NOT_CONFIRMED}, {@link RecoveryResult#UNREACHABLE}...)
 * @param reason in words
 * @param firstSeen when a pass first saw it unresolved
 */
public record InDoubtXid(
    String xid,
    String resourceId,
    RecoveryLogState logState,
    RecoveryResult result,
    String reason,
    Instant firstSeen) {}
