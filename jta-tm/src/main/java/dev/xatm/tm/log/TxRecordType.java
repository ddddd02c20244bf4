package dev.xatm.tm.log;

import java.util.Optional;

/**
 * The stable record type numbers of the TM in the WAL (docs/tm-protocol.md). Numbers are never
 * reused; the TM owns the range 16..63 of the WAL's user types.
 */
public enum TxRecordType {
  /** A TM process started and took an epoch ({@link TxRecord.EpochStarted}). */
  EPOCH_STARTED(16),
  /** The first use of a resource by this node ({@link TxRecord.ResourceRegistered}). */
  RESOURCE_REGISTERED(17),
  /** Phase 1 of a two-phase transaction starts ({@link TxRecord.Begin}). */
  BEGIN(18),
  /** The commit decision ({@link TxRecord.Committing}). */
  COMMITTING(19),
  /** A resource reported a heuristic outcome ({@link TxRecord.Heuristic}). */
  HEURISTIC(20),
  /** Every branch is finished ({@link TxRecord.End}). */
  END(21),
  /** An operator cleared an unresolved heuristic outcome (recovery). */
  HEURISTIC_CLEARED(22),
  /** Recovery kept a gtrid in doubt for an operator (damaged mode, lost records; issue 10). */
  KEPT_IN_DOUBT(23),
  /** A start accepted a damaged log: no presumed abort for earlier epochs (issue 10 review). */
  DAMAGE_ACCEPTED(24),
  /** An operator cleared the accepted damage up to an epoch. */
  DAMAGE_CLEARED(25);

  /** The lowest type number reserved for TM records. */
  public static final int FIRST_RESERVED = 16;

  /** The highest type number reserved for TM records. */
  public static final int LAST_RESERVED = 63;

  private final int code;

  TxRecordType(int code) {
    this.code = code;
  }

  /** {@return the WAL record type number} */
  public int code() {
    return code;
  }

  /**
   * {@return the type with this number, or empty when this version does not know it}
   *
   * @param code a WAL record type number
   */
  public static Optional<TxRecordType> of(int code) {
    for (TxRecordType t : values()) {
      if (t.code == code) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * {@return true for numbers in the TM's range, known or not (a newer version may have added
   * some)}
   *
   * @param code a WAL record type number
   */
  public static boolean reservedForTm(int code) {
    return code >= FIRST_RESERVED && code <= LAST_RESERVED;
  }
}
