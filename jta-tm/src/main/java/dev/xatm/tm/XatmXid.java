package dev.xatm.tm;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.transaction.xa.Xid;

/**
 * The Xid of one branch of an xatm transaction: {@link #FORMAT_ID}, the {@link Gtrid} bytes, and a
 * branch qualifier {@code 0x01 | branch number u32 BE} (branch numbers start at 1, one per branch
 * of the transaction).
 *
 * <p>{@link #parse(Xid, String)} is what recovery uses to recognise its own Xids: the format id AND
 * the exact node id must match (never a prefix). Immutable and thread-safe.
 *
 * <pre>{@code
 * Optional<XatmXid> ours = XatmXid.parse(xidFromRecover, tm.nodeId());
 * }</pre>
 */
public final class XatmXid implements Xid {
  /** The format id of every xatm Xid: ASCII "xatm". */
  public static final int FORMAT_ID = 0x7861746D;

  private static final byte BQUAL_LAYOUT_VERSION = 1;

  private final Gtrid gtrid;
  private final int branch;
  private final byte[] gtridBytes;
  private final byte[] bqualBytes;

  /**
   * Creates the Xid of one branch.
   *
   * @param gtrid the transaction
   * @param branch the branch number, from 1
   * @throws IllegalArgumentException {@code branch} is below 1
   */
  public XatmXid(Gtrid gtrid, int branch) {
    this.gtrid = Objects.requireNonNull(gtrid, "gtrid");
    if (branch < 1) {
      throw new IllegalArgumentException("branch must be >= 1: " + branch);
    }
    this.branch = branch;
    this.gtridBytes = gtrid.toBytes();
    this.bqualBytes = bqual(branch);
  }

  /**
   * {@return the branch qualifier bytes of branch number {@code branch}; a new array}
   *
   * @param branch the branch number
   */
  public static byte[] bqual(int branch) {
    return ByteBuffer.allocate(5).put(BQUAL_LAYOUT_VERSION).putInt(branch).array();
  }

  /**
   * {@return the branch number encoded in a branch qualifier, or empty if it is not ours}
   *
   * @param bqual a branch qualifier; {@code null} gives empty
   */
  public static Optional<Integer> branchOf(byte[] bqual) {
    if (bqual == null || bqual.length != 5 || bqual[0] != BQUAL_LAYOUT_VERSION) {
      return Optional.empty();
    }
    int n = ByteBuffer.wrap(bqual, 1, 4).getInt();
    return n >= 1 ? Optional.of(n) : Optional.empty();
  }

  /**
   * Recognises an Xid of this node: format id {@link #FORMAT_ID}, a well-formed gtrid whose node id
   * equals {@code nodeId} exactly, and a well-formed branch qualifier.
   *
   * @param xid an Xid, for example from {@code XAResource.recover}; {@code null} gives empty
   * @param nodeId this node's id
   * @return the Xid as ours, or empty for anything else
   */
  public static Optional<XatmXid> parse(Xid xid, String nodeId) {
    if (xid == null || xid.getFormatId() != FORMAT_ID) {
      return Optional.empty();
    }
    Optional<Gtrid> g = Gtrid.fromBytes(xid.getGlobalTransactionId());
    Optional<Integer> b = branchOf(xid.getBranchQualifier());
    if (g.isEmpty() || b.isEmpty() || !g.get().nodeId().equals(nodeId)) {
      return Optional.empty();
    }
    return Optional.of(new XatmXid(g.get(), b.get()));
  }

  /** {@return the transaction this branch belongs to} */
  public Gtrid gtrid() {
    return gtrid;
  }

  /** {@return the branch number, from 1} */
  public int branch() {
    return branch;
  }

  @Override
  public int getFormatId() {
    return FORMAT_ID;
  }

  @Override
  public byte[] getGlobalTransactionId() {
    return gtridBytes.clone();
  }

  @Override
  public byte[] getBranchQualifier() {
    return bqualBytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof XatmXid x && x.gtrid.equals(gtrid) && x.branch == branch;
  }

  @Override
  public int hashCode() {
    return gtrid.hashCode() * 31 + branch;
  }

  /** Readable form: {@code node-a/3/1742#2}. */
  @Override
  public String toString() {
    return gtrid + "#" + branch;
  }

  /**
   * {@return true when two Xids have the same format id, gtrid and bqual bytes (any
   * implementation)}
   *
   * @param a an Xid; not {@code null}
   * @param b another; not {@code null}
   */
  public static boolean sameXid(Xid a, Xid b) {
    return a.getFormatId() == b.getFormatId()
        && Arrays.equals(a.getGlobalTransactionId(), b.getGlobalTransactionId())
        && Arrays.equals(a.getBranchQualifier(), b.getBranchQualifier());
  }
}
