package dev.xatm.conformance;

import jakarta.transaction.Status;

/** Readable names of {@link Status} codes for assertion messages and logs. */
final class Statuses {
  private Statuses() {}

  static String name(int status) {
    return switch (status) {
      case Status.STATUS_ACTIVE -> "ACTIVE";
      case Status.STATUS_MARKED_ROLLBACK -> "MARKED_ROLLBACK";
      case Status.STATUS_PREPARED -> "PREPARED";
      case Status.STATUS_COMMITTED -> "COMMITTED";
      case Status.STATUS_ROLLEDBACK -> "ROLLEDBACK";
      case Status.STATUS_UNKNOWN -> "UNKNOWN";
      case Status.STATUS_NO_TRANSACTION -> "NO_TRANSACTION";
      case Status.STATUS_PREPARING -> "PREPARING";
      case Status.STATUS_COMMITTING -> "COMMITTING";
      case Status.STATUS_ROLLING_BACK -> "ROLLING_BACK";
      default -> "status " + status;
    };
  }
}
