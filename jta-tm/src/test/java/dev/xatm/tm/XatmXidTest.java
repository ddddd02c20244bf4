package dev.xatm.tm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;

class XatmXidTest {
  private static Xid foreign(int formatId, byte[] gtrid, byte[] bqual) {
    return new Xid() {
      @Override
      public int getFormatId() {
        return formatId;
      }

      @Override
      public byte[] getGlobalTransactionId() {
        return gtrid;
      }

      @Override
      public byte[] getBranchQualifier() {
        return bqual;
      }
    };
  }

  @Test
  void roundTripsThroughForeignXidObjects() {
    XatmXid x = new XatmXid(new Gtrid("node-a", 3, 1742), 2);
    Xid copy = foreign(x.getFormatId(), x.getGlobalTransactionId(), x.getBranchQualifier());
    assertEquals(Optional.of(x), XatmXid.parse(copy, "node-a"));
    assertEquals("node-a/3/1742#2", x.toString());
    assertTrue(XatmXid.sameXid(x, copy));
  }

  @Test
  void longestNodeIdFitsIn64Bytes() {
    String node = "n".repeat(32);
    XatmXid x = new XatmXid(new Gtrid(node, Long.MAX_VALUE, Long.MAX_VALUE), Integer.MAX_VALUE);
    assertTrue(x.getGlobalTransactionId().length <= Xid.MAXGTRIDSIZE);
    assertTrue(x.getBranchQualifier().length <= Xid.MAXBQUALSIZE);
    assertEquals(Optional.of(x), XatmXid.parse(x, node));
  }

  @Test
  void otherNodeIdsAreNotOursEvenAsPrefixes() {
    XatmXid x = new XatmXid(new Gtrid("node-ab", 1, 1), 1);
    assertEquals(Optional.empty(), XatmXid.parse(x, "node-a"));
    assertEquals(Optional.empty(), XatmXid.parse(x, "node-abc"));
    assertEquals(
        Optional.empty(), XatmXid.parse(new XatmXid(new Gtrid("node-a", 1, 1), 1), "node-ab"));
  }

  @Test
  void otherFormatIdsAndMalformedBytesAreNotOurs() {
    XatmXid x = new XatmXid(new Gtrid("node-a", 1, 1), 1);
    assertEquals(
        Optional.empty(),
        XatmXid.parse(
            foreign(131077, x.getGlobalTransactionId(), x.getBranchQualifier()), "node-a"));
    byte[] g = x.getGlobalTransactionId();
    assertEquals(
        Optional.empty(),
        XatmXid.parse(
            foreign(
                XatmXid.FORMAT_ID,
                java.util.Arrays.copyOf(g, g.length - 1),
                x.getBranchQualifier()),
            "node-a"));
    assertEquals(
        Optional.empty(),
        XatmXid.parse(foreign(XatmXid.FORMAT_ID, g, new byte[] {1, 0, 0, 0}), "node-a"));
    byte[] badVersion = g.clone();
    badVersion[0] = 2;
    assertEquals(
        Optional.empty(),
        XatmXid.parse(foreign(XatmXid.FORMAT_ID, badVersion, x.getBranchQualifier()), "node-a"));
  }

  @Test
  void gtridBytesAreStable() {
    byte[] expected = {1, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3};
    assertArrayEquals(expected, new Gtrid("a", 2, 3).toBytes());
    assertArrayEquals(new byte[] {1, 0, 0, 0, 7}, XatmXid.bqual(7));
  }

  @Test
  void invalidPartsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Gtrid("has space", 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Gtrid("n".repeat(33), 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Gtrid("a", 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new XatmXid(new Gtrid("a", 1, 1), 0));
  }
}
