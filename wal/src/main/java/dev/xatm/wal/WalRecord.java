package dev.xatm.wal;

import java.util.Arrays;

/**
 * One record as read back from the log. The payload array is owned by the caller.
 *
 * @param lsn the record's log sequence number
 * @param type the record type, 1..{@value Wal#MAX_USER_TYPE}
 * @param payload the record's bytes, a copy the caller may keep and change
 */
public record WalRecord(long lsn, int type, byte[] payload) {

  @Override
  public boolean equals(Object o) {
    return o instanceof WalRecord r
        && r.lsn == lsn
        && r.type == type
        && Arrays.equals(r.payload, payload);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(lsn) * 31 + type * 17 + Arrays.hashCode(payload);
  }

  @Override
  public String toString() {
    return "WalRecord[lsn=" + lsn + ", type=" + type + ", payload=" + payload.length + " bytes]";
  }
}
