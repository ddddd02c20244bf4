package dev.xatm.tm.internal;

import dev.xatm.tm.Gtrid;
import java.security.SecureRandom;

/**
 * Who this process is in the gtrids it hands out and recognises (docs/tm-protocol.md): the node id,
 * the identity of its log, a random incarnation of this process start, and the epoch it took.
 *
 * <p>{@link #ownership(Gtrid)} is the one place that says whose a gtrid with our node id is: ours
 * (this log), {@link Ownership#LEGACY} (layout 1, written before logs had identities: ours only by
 * what our log records about it), or {@link Ownership#OTHER_LOG} (another process configured with
 * the same node id: never touched).
 *
 * <p>Immutable and thread-safe.
 */
public record TmIdentity(String nodeId, long logId, int incarnation, long epoch) {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Whose a gtrid with this node id is. */
  public enum Ownership {
    /** Written by this log (any epoch, any incarnation). */
    OURS,
    /** Layout 1, without log identity: ours only if our log has a record of it. */
    LEGACY,
    /** Written by another log with the same node id: not ours, reported, never touched. */
    OTHER_LOG
  }

  public TmIdentity {
    if (logId == 0 || incarnation == 0) {
      throw new IllegalArgumentException("log id and incarnation are never 0");
    }
  }

  /** A new process start on this log: a fresh random incarnation (never 0). */
  public static TmIdentity start(String nodeId, long logId, long epoch) {
    int incarnation;
    do {
      incarnation = RANDOM.nextInt();
    } while (incarnation == 0);
    return new TmIdentity(nodeId, logId, incarnation, epoch);
  }

  /** The gtrid of sequence number {@code sequence} of this process start. */
  public Gtrid gtrid(long sequence) {
    return new Gtrid(nodeId, logId, incarnation, epoch, sequence);
  }

  /** Whose a gtrid of this node id is; see the class comment. */
  public Ownership ownership(Gtrid g) {
    if (g.legacy()) {
      return Ownership.LEGACY;
    }
    return g.logId() == logId ? Ownership.OURS : Ownership.OTHER_LOG;
  }

  /** True for a gtrid handed out by this very process start. */
  public boolean thisProcess(Gtrid g) {
    return !g.legacy()
        && g.logId() == logId
        && g.epoch() == epoch
        && g.incarnation() == incarnation;
  }
}
