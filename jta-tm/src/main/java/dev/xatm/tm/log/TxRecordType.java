package dev.xatm.tm.log;

import java.util.Optional;

/**
 * The stable record type numbers of the TM in the WAL (docs/tm-protocol.md). Numbers are never
 * reused; the TM owns the range 16..63 of the WAL's user types.
 */
public enum TxRecordType {
  EPOCH_STARTED(16),
  RESOURCE_REGISTERED(17),
  BEGIN(18),
  COMMITTING(19),
  HEURISTIC(20),
  END(21),
  /** An operator cleared an unresolved heuristic outcome (recovery). */
  HEURISTIC_CLEARED(22),
  /** Recovery kept a gtrid in doubt for an operator (damaged mode, lost records; issue 10). */
  KEPT_IN_DOUBT(23),
  /** A start accepted a damaged log: no presumed abort for earlier epochs (issue 10 review). */
  DAMAGE_ACCEPTED(24),
  /** An operator cleared the accepted damage up to an epoch. */
  DAMAGE_CLEARED(25);

  /** Lowest and highest type number reserved for TM records. */
  public static final int FIRST_RESERVED = 16;

  public static final int LAST_RESERVED = 63;

  private final int code;

  TxRecordType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static Optional<TxRecordType> of(int code) {
    for (TxRecordType t : values()) {
      if (t.code == code) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /** True for numbers in the TM's range, known or not (a newer version may have added some). */
  public static boolean reservedForTm(int code) {
    return code >= FIRST_RESERVED && code <= LAST_RESERVED;
  }
}
