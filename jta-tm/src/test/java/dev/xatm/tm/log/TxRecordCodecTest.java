package dev.xatm.tm.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class TxRecordCodecTest {
  static final Gtrid G = new Gtrid("node-a", 2, 99);
  static final Branch B1 = new Branch("pg-bank", XatmXid.bqual(1));
  static final Branch B2 = new Branch(null, XatmXid.bqual(2));

  static List<TxRecord> everyRecordType() {
    return List.of(
        new TxRecord.EpochStarted("node-a", 7, 1_700_000_000_000L),
        new TxRecord.EpochStarted("node-a", 8, 1_700_000_000_000L, 0x9abcdef0),
        new TxRecord.ResourceRegistered(
            new ResourceDescriptor("pg", "jdbc:xa:postgresql://h/db", "app")),
        new TxRecord.ResourceRegistered(new ResourceDescriptor("h2", "jdbc:xa:h2:mem:x", null)),
        new TxRecord.Begin(G, List.of(B1, B2), 123_456L),
        new TxRecord.Committing(G, List.of(B1, B2)),
        new TxRecord.Heuristic(G, B1, HeuristicOutcome.MIXED),
        new TxRecord.Heuristic(G, B2, HeuristicOutcome.HAZARD),
        new TxRecord.End(G, Outcome.COMMITTED),
        new TxRecord.End(G, Outcome.ROLLED_BACK),
        new TxRecord.HeuristicCleared(G, B1),
        new TxRecord.KeptInDoubt(new Gtrid("node-a", 77, 0x9abcdef0, 8, 3), "log damaged"),
        new TxRecord.DamageAccepted(9, "opened despite damage"),
        new TxRecord.DamageCleared(9));
  }

  @Test
  void everyRecordTypeRoundTrips() throws Exception {
    for (TxRecord r : everyRecordType()) {
      assertEquals(r, TxRecordCodec.decode(r.type(), TxRecordCodec.encode(r)), r.toString());
    }
    assertEquals(
        List.of(TxRecordType.values()),
        everyRecordType().stream().map(TxRecord::type).distinct().toList());
  }

  @Test
  void typeNumbersAreStable() {
    assertEquals(16, TxRecordType.EPOCH_STARTED.code());
    assertEquals(17, TxRecordType.RESOURCE_REGISTERED.code());
    assertEquals(18, TxRecordType.BEGIN.code());
    assertEquals(19, TxRecordType.COMMITTING.code());
    assertEquals(20, TxRecordType.HEURISTIC.code());
    assertEquals(21, TxRecordType.END.code());
    assertEquals(22, TxRecordType.HEURISTIC_CLEARED.code());
  }

  @Test
  void unknownFieldsAreSkippedSoNewerWritersStayReadable() throws Exception {
    byte[] payload;
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(4);
      p.packString("futureMap").packMapHeader(1).packString("x").packBoolean(true);
      p.packString("gtrid").packBinaryHeader(G.toBytes().length).writePayload(G.toBytes());
      p.packString("outcome").packString("COMMITTED");
      p.packString("futureFloat").packDouble(1.5);
      payload = p.toByteArray();
    }
    assertEquals(
        new TxRecord.End(G, Outcome.COMMITTED), TxRecordCodec.decode(TxRecordType.END, payload));
  }

  @Test
  void missingOrWrongFieldsAreNamed() throws IOException {
    byte[] noOutcome;
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(1);
      p.packString("gtrid").packBinaryHeader(G.toBytes().length).writePayload(G.toBytes());
      noOutcome = p.toByteArray();
    }
    TxLogFormatException e =
        assertThrows(
            TxLogFormatException.class, () -> TxRecordCodec.decode(TxRecordType.END, noOutcome));
    assertTrue(e.getMessage().contains("'outcome'"), e.getMessage());

    byte[] badOutcome;
    try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
      p.packMapHeader(2);
      p.packString("gtrid").packBinaryHeader(G.toBytes().length).writePayload(G.toBytes());
      p.packString("outcome").packString("MAYBE");
      badOutcome = p.toByteArray();
    }
    e =
        assertThrows(
            TxLogFormatException.class, () -> TxRecordCodec.decode(TxRecordType.END, badOutcome));
    assertTrue(e.getMessage().contains("MAYBE"), e.getMessage());

    e =
        assertThrows(
            TxLogFormatException.class,
            () -> TxRecordCodec.decode(TxRecordType.COMMITTING, new byte[] {(byte) 0xc1}));
    assertTrue(e.getMessage().contains("COMMITTING"), e.getMessage());
    assertThrows(
        TxLogFormatException.class, () -> TxRecordCodec.decode(TxRecordType.BEGIN, new byte[] {1}));
  }
}
