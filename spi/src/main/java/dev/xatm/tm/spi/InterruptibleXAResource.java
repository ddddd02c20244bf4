package dev.xatm.tm.spi;

import java.time.Duration;
import javax.transaction.xa.XAResource;

/**
 * An XAResource whose application work the TM can stop from another thread, so that a timed-out
 * transaction can be rolled back while its owner is idle, in a long statement, or blocked on a lock
 * (DESIGN §10: a timeout frees the database).
 *
 * <p>The TM's timeout reaper calls {@link #interruptWork} on every still-associated branch of an
 * expired transaction, first with a zero wait (every expired transaction is fenced before the
 * reaper waits for any) and, while a call is still in progress, again with the rest of its tick's
 * wait; it rolls the branch back (end TMFAIL, rollback) from its own thread only when the calls for
 * every branch returned {@code true}. A resource that does not implement this interface and is
 * still associated is not touched by the reaper; its owner's completion rolls it back.
 *
 * <p>Implementations must be thread-safe with respect to the application thread that uses the
 * branch.
 */
public interface InterruptibleXAResource extends XAResource {

  /**
   * Stops the application's use of this branch: cancels any statement running on it, makes every
   * later application call on it fail (with a timeout error naming {@code reason}), and waits up to
   * {@code wait} for a call in progress to return. XA calls made by the TM are not affected.
   * Idempotent.
   *
   * @param reason why the work is stopped (shown to the application; no secrets)
   * @param wait how long to wait for a call in progress to return
   * @return true when no application call is in progress on the branch any more, so the TM may end
   *     and roll back the branch from the calling thread; false when one is still running
   */
  boolean interruptWork(String reason, Duration wait);
}
