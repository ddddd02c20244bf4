package dev.xatm.tm.cluster;

import java.util.List;

/**
 * The decision mirror of one log (docs/cluster.md, "Decision mirror"): the rows in the cluster
 * database that let a peer know what a node decided. Every row belongs to one node id and one log
 * identity, and is written only under the lease epoch of the writer: a row is written while the
 * writer holds the lease, or not at all (the insert is conditioned on the lease row, which a
 * takeover locks and changes).
 *
 * <p>A decision row is the commit decision itself in cluster mode: it is written before the local
 * {@code Committing}, and no resource hears "commit" before both are durable.
 *
 * <p>Threading: every method may be called from any thread; {@link #decide} batches the calls of
 * concurrent committers into one statement and one database commit.
 */
public interface DecisionMirror {
  /**
   * Durably records a commit decision. Returns only when the row is committed in the database.
   *
   * @param gtrid the transaction's gtrid bytes
   * @param record the encoded {@code Committing} record
   * @return true when the decision is recorded; false when it was refused and certainly not
   *     recorded (the lease epoch moved on, or the gtrid was settled as aborted)
   * @throws MirrorException the outcome is unknown (the database did not answer): the decision may
   *     or may not be recorded; {@link #settle} finds out
   */
  boolean decide(byte[] gtrid, byte[] record) throws MirrorException;

  /**
   * Settles a decision whose {@link #decide} outcome is unknown: records it as aborted unless it
   * was recorded as decided, so that it can never become decided later.
   *
   * @param gtrid the transaction's gtrid bytes
   * @return true when it is recorded as decided (commit it), false when it is aborted
   * @throws MirrorException the database cannot be reached; try again later
   */
  boolean settle(byte[] gtrid) throws MirrorException;

  /**
   * Forgets a decision whose transaction ended (every branch confirmed). Asynchronous and batched:
   * a row that outlives its End is harmless (a commit of a finished Xid is answered XAER_NOTA).
   *
   * @param gtrid the transaction's gtrid bytes
   */
  void forget(byte[] gtrid);

  /**
   * Durably records (or replaces) a row that is not a decision: a process start or a resource's
   * recipe.
   *
   * @param row the row
   * @throws MirrorException it may not be recorded: the database did not answer, or this holder's
   *     epoch is no longer the lease's
   */
  void put(MirrorRow row) throws MirrorException;

  /**
   * {@return every row of this log written under an earlier lease epoch than this mirror's:
   * decisions (committed and aborted), starts and resources} For a node at start, what its earlier
   * runs wrote; for a peer that took the node id over, what the node wrote before the takeover, and
   * never what a later holder of the node id writes (a peer whose hold lapsed must not read a live
   * holder's starts as the dead node's).
   *
   * @throws MirrorException the database cannot be read
   */
  List<MirrorRow> rows() throws MirrorException;
}
