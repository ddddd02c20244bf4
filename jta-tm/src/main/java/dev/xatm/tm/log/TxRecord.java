package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.List;
import java.util.Objects;

/** The TM's log records (DESIGN §2), as values. Encoded by {@link TxRecordCodec}. */
public sealed interface TxRecord {

  /** {@return the WAL record type this record is written as} */
  TxRecordType type();

  /**
   * A TM process started and took {@code epoch} (forced; strictly increasing), with a random {@code
   * incarnation} that is part of every gtrid it hands out (0: not recorded, as versions before
   * issue 10 wrote it).
   *
   * @param nodeId the node that started
   * @param epoch the epoch it took
   * @param startedAtMillis when, in epoch milliseconds
   * @param incarnation the random part of its gtrids; 0 when not recorded
   */
  record EpochStarted(String nodeId, long epoch, long startedAtMillis, int incarnation)
      implements TxRecord {
    /**
     * Checks the node id.
     *
     * @param nodeId the node that started; not {@code null}
     * @param epoch the epoch it took
     * @param startedAtMillis when, in epoch milliseconds
     * @param incarnation the random part of its gtrids; 0 when not recorded
     */
    public EpochStarted {
      Objects.requireNonNull(nodeId, "nodeId");
    }

    /**
     * The record without incarnation (as versions before issue 10 wrote it).
     *
     * @param nodeId the node that started; not {@code null}
     * @param epoch the epoch it took
     * @param startedAtMillis when, in epoch milliseconds
     */
    public EpochStarted(String nodeId, long epoch, long startedAtMillis) {
      this(nodeId, epoch, startedAtMillis, 0);
    }

    @Override
    public TxRecordType type() {
      return TxRecordType.EPOCH_STARTED;
    }
  }

  /**
   * The first use of a resource by this node, before its first prepare (forced).
   *
   * @param descriptor how recovery reaches the resource again
   */
  record ResourceRegistered(ResourceDescriptor descriptor) implements TxRecord {
    /**
     * Checks the descriptor.
     *
     * @param descriptor how recovery reaches the resource; not {@code null}
     */
    public ResourceRegistered {
      Objects.requireNonNull(descriptor, "descriptor");
    }

    @Override
    public TxRecordType type() {
      return TxRecordType.RESOURCE_REGISTERED;
    }
  }

  /**
   * Phase 1 of a two-phase transaction starts (unforced).
   *
   * @param gtrid the transaction
   * @param branches its branches, in branch order
   * @param deadlineMillis when it times out, in the TM clock's epoch milliseconds
   */
  record Begin(Gtrid gtrid, List<Branch> branches, long deadlineMillis) implements TxRecord {
    /**
     * Checks the gtrid and copies the branches.
     *
     * @param gtrid the transaction; not {@code null}
     * @param branches its branches; copied
     * @param deadlineMillis when it times out, in the TM clock's epoch milliseconds
     */
    public Begin {
      Objects.requireNonNull(gtrid, "gtrid");
      branches = List.copyOf(branches);
    }

    @Override
    public TxRecordType type() {
      return TxRecordType.BEGIN;
    }
  }

  /**
   * Every branch voted to commit; the decision is commit (forced before any commit is sent).
   *
   * @param gtrid the transaction
   * @param branches every branch to commit
   */
  record Committing(Gtrid gtrid, List<Branch> branches) implements TxRecord {
    /**
     * Checks the gtrid and copies the branches.
     *
     * @param gtrid the transaction; not {@code null}
     * @param branches every branch to commit; copied
     */
    public Committing {
      Objects.requireNonNull(gtrid, "gtrid");
      branches = List.copyOf(branches);
    }

    @Override
    public TxRecordType type() {
      return TxRecordType.COMMITTING;
    }
  }

  /**
   * A resource reported a heuristic outcome for a branch (forced before {@code forget}).
   *
   * @param gtrid the transaction
   * @param branch the branch
   * @param outcome what the resource did on its own
   */
  record Heuristic(Gtrid gtrid, Branch branch, HeuristicOutcome outcome) implements TxRecord {
    /**
     * Checks that every component is set.
     *
     * @param gtrid the transaction; not {@code null}
     * @param branch the branch; not {@code null}
     * @param outcome what the resource did; not {@code null}
     */
    public Heuristic {
      Objects.requireNonNull(gtrid, "gtrid");
      Objects.requireNonNull(branch, "branch");
      Objects.requireNonNull(outcome, "outcome");
    }

    @Override
    public TxRecordType type() {
      return TxRecordType.HEURISTIC;
    }
  }

  /**
   * Every branch is finished with {@code outcome} (unforced).
   *
   * @param gtrid the transaction
   * @param outcome how it ended
   */
  record End(Gtrid gtrid, Outcome outcome) implements TxRecord {
    /**
     * Checks that every component is set.
     *
     * @param gtrid the transaction; not {@code null}
     * @param outcome how it ended; not {@code null}
     */
    public End {
      Objects.requireNonNull(gtrid, "gtrid");
      Objects.requireNonNull(outcome, "outcome");
    }

    @Override
    public TxRecordType type() {
      return TxRecordType.END;
    }
  }

  /**
   * Recovery left the prepared branches of {@code gtrid} in doubt because the log cannot say
   * whether it was decided (opened in damaged mode, or records proven lost) (forced, before the
   * pass reports it). Until an operator resolves it (a {@code Committing}, or an {@code End}),
   * nothing presumes abort for it, whatever later checkpoints and segment GC remove.
   *
   * @param gtrid the transaction
   * @param reason why the log cannot say whether it was decided
   */
  record KeptInDoubt(Gtrid gtrid, String reason) implements TxRecord {
    /**
     * Checks that every component is set.
     *
     * @param gtrid the transaction; not {@code null}
     * @param reason why it is kept in doubt; not {@code null}
     */
    public KeptInDoubt {
      Objects.requireNonNull(gtrid, "gtrid");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public TxRecordType type() {
      return TxRecordType.KEPT_IN_DOUBT;
    }
  }

  /**
   * The process start of {@code epoch} opened the log despite damage (forced, right after its
   * {@code EpochStarted}, before recovery): the log may have lost the decision of any transaction
   * of an earlier epoch, including those on resources that were down during that run. Every
   * checkpoint carries it, so once GC removed the damaged part of the log no later start presumes
   * abort for an Xid of an epoch before {@code epoch}, until an operator clears it ({@link
   * DamageCleared}).
   *
   * @param epoch the start that accepted the damage
   * @param what the damage, in words
   */
  record DamageAccepted(long epoch, String what) implements TxRecord {
    /**
     * Checks the description.
     *
     * @param epoch the start that accepted the damage
     * @param what the damage, in words; not {@code null}
     */
    public DamageAccepted {
      Objects.requireNonNull(what, "what");
    }

    @Override
    public TxRecordType type() {
      return TxRecordType.DAMAGE_ACCEPTED;
    }
  }

  /**
   * An operator cleared every {@link DamageAccepted} of epochs up to {@code epoch} (forced), after
   * resolving the Xids that damage left in doubt: presumed abort applies to those epochs again.
   *
   * @param epoch the last epoch cleared
   */
  record DamageCleared(long epoch) implements TxRecord {
    @Override
    public TxRecordType type() {
      return TxRecordType.DAMAGE_CLEARED;
    }
  }

  /**
   * An operator cleared the heuristic outcomes logged for a branch (forced): they no longer show as
   * unresolved. The earlier {@link Heuristic} records stay in the log as history.
   *
   * @param gtrid the transaction
   * @param branch the branch
   */
  record HeuristicCleared(Gtrid gtrid, Branch branch) implements TxRecord {
    /**
     * Checks that every component is set.
     *
     * @param gtrid the transaction; not {@code null}
     * @param branch the branch; not {@code null}
     */
    public HeuristicCleared {
      Objects.requireNonNull(gtrid, "gtrid");
      Objects.requireNonNull(branch, "branch");
    }

    @Override
    public TxRecordType type() {
      return TxRecordType.HEURISTIC_CLEARED;
    }
  }
}
