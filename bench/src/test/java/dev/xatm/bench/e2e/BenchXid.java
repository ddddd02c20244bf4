package dev.xatm.bench.e2e;

import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.transaction.xa.Xid;

/** Xids of the raw-XA contender: its own format id, gtrid = run nonce + thread + sequence. */
record BenchXid(int formatId, byte[] gtrid, byte[] bqual) implements Xid {
  static final int FORMAT_ID = 0x52415758; // "RAWX"

  static BenchXid of(long nonce, int thread, long sequence, byte branch) {
    byte[] g = ByteBuffer.allocate(20).putLong(nonce).putInt(thread).putLong(sequence).array();
    return new BenchXid(FORMAT_ID, g, new byte[] {branch});
  }

  @Override
  public int getFormatId() {
    return formatId;
  }

  @Override
  public byte[] getGlobalTransactionId() {
    return gtrid.clone();
  }

  @Override
  public byte[] getBranchQualifier() {
    return bqual.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BenchXid x
        && x.formatId == formatId
        && Arrays.equals(x.gtrid, gtrid)
        && Arrays.equals(x.bqual, bqual);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(gtrid) + Arrays.hashCode(bqual);
  }

  @Override
  public String toString() {
    return "BenchXid" + Arrays.toString(gtrid) + "#" + bqual[0];
  }
}
