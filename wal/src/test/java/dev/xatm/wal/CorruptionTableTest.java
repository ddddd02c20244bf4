package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.wal.internal.SegmentHeader;
import dev.xatm.wal.storage.FaultyStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The byte-corruption table (failure rows 1-13, FORMAT.md "Reading rules"): each row damages a
 * known log in one way and states what opening it must do.
 *
 * <p>The reference log: 1500 records of 99 bytes (117 framed: 17 header, 99 payload, the end mark)
 * in 64 KiB segments, so segment 1 holds LSNs 1-559, segment 2 560-1118, segment 3 (the last)
 * 1119-1500, with the spare segment 4 preallocated. {@link #reference} is its durable state while
 * it runs (what a crash leaves); {@link #closedReference} the state after a clean close.
 */
class CorruptionTableTest {

  static final Path DIR = Path.of("/faulty/table");
  static final int REC = 117;
  static final int HDR = 128;
  static final long LAST = 1500;
  static final int SEG3_RECORDS = 382;
  static FaultyStorage reference;
  static FaultyStorage closedReference;

  /** Segment 3 as it was when LSN 1300 had just been forced (an "older copy"). */
  static byte[] olderSegment3;

  /** Segment 2 of another log of the same node, same layout, other payloads. */
  static byte[] foreignSegment2;

  /** Segment 3 of that log (LSNs 1119-1500, other payloads). */
  static byte[] foreignSegment3;

  /** What opening must do. */
  enum Kind {
    /** Opens; the log ends at lastLsn and the tail was clean. */
    CLEAN,
    /** Opens; the log ends at lastLsn and a torn tail was dropped and reported. */
    TORN,
    /** Opens; the log ends at lastLsn, torn-tail report either way (stale bytes). */
    OPENS,
    /** Refuses with WalCorruptException whose message contains the fragment. */
    CORRUPT,
    /** Refuses even under openDamaged (the directory itself is unusable). */
    FATAL
  }

  record Expect(Kind kind, long lastLsn, String fragment) {}

  interface Damage {
    void apply(FaultyStorage s) throws IOException;
  }

  static Path seg(long i) {
    return DIR.resolve(String.format("%020d.wal", i));
  }

  static long at(int segment, int k) {
    return HDR + (long) k * REC;
  }

  static byte[] payload(long lsn) {
    byte[] b = new byte[99];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (lsn * 31 + i);
    }
    return b;
  }

  static WalConfig.Builder config(FaultyStorage s) {
    return WalConfig.builder(DIR)
        .nodeId("node-a")
        .segmentSize(64 * 1024)
        .maxRecordSize(4096)
        .storage(s);
  }

  @BeforeAll
  static void buildReference() throws Exception {
    FaultyStorage s = new FaultyStorage();
    try (Wal wal = Wal.open(config(s).build())) {
      for (long lsn = 1; lsn < LAST; lsn++) {
        if (lsn == 1300) {
          assertEquals(lsn, wal.appendForced(1 + (int) (lsn % 200), payload(lsn)).get());
          olderSegment3 = s.contents(seg(3));
          continue;
        }
        wal.append(1 + (int) (lsn % 200), payload(lsn));
      }
      assertEquals(LAST, wal.appendForced(1 + (int) (LAST % 200), payload(LAST)).get());
      assertEquals(3, wal.segments().size(), "layout assumed by the table: " + wal.segments());
      assertEquals(1119L, wal.segments().get(2).firstLsn());
      ((dev.xatm.wal.internal.SegmentedWal) wal).awaitPreallocation();
      reference = s.copyDurable();
    }
    closedReference = s.copyDurable();
    FaultyStorage other = new FaultyStorage();
    try (Wal wal = Wal.open(config(other).build())) {
      for (long lsn = 1; lsn <= LAST; lsn++) {
        byte[] p = payload(lsn);
        p[0] ^= 0x55;
        wal.append(1 + (int) (lsn % 200), p);
      }
      wal.sync().get();
    }
    foreignSegment2 = other.contents(seg(2));
    foreignSegment3 = other.contents(seg(3));
  }

  static Damage flip(int segment, long offset, int mask) {
    return s -> {
      byte[] b = s.contents(seg(segment));
      s.poke(seg(segment), offset, new byte[] {(byte) (b[(int) offset] ^ mask)});
    };
  }

  static Damage zeros(int segment, long from, long to) {
    return s -> s.poke(seg(segment), from, new byte[(int) (to - from)]);
  }

  static Damage header(int segment, java.util.function.UnaryOperator<SegmentHeader> change) {
    return header(seg(segment), change);
  }

  static Damage header(Path file, java.util.function.UnaryOperator<SegmentHeader> change) {
    return s -> {
      ByteBuffer b = ByteBuffer.wrap(s.contents(file), 0, HDR).order(ByteOrder.LITTLE_ENDIAN);
      SegmentHeader h;
      try {
        h = SegmentHeader.decode(b.slice().order(ByteOrder.LITTLE_ENDIAN));
      } catch (SegmentHeader.BadHeader e) {
        throw new AssertionError(e);
      }
      ByteBuffer enc = change.apply(h).encode();
      byte[] out = new byte[HDR];
      enc.get(out);
      s.poke(file, 0, out);
    };
  }

  /**
   * A correctly framed format-2 record (valid CRC, end mark 0xA5) with any LSN, as the writer would
   * have made it.
   */
  static byte[] record(long lsn, int type, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(18 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(payload.length).putInt(0).putLong(lsn).put((byte) type).put(payload);
    b.put((byte) 0xA5);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 4);
    crc.update(b.array(), 8, 10 + payload.length);
    b.putInt(4, (int) crc.getValue());
    return b.array();
  }

  static Arguments row(String name, Damage d, Kind kind, long lastLsn, String fragment) {
    return Arguments.of(Named.of(name, d), new Expect(kind, lastLsn, fragment));
  }

  static final int LAST_K = SEG3_RECORDS - 1;
  static final long LAST_AT = at(3, LAST_K);
  static final long MID_AT = at(3, 100); // LSN 1219
  static final long SEALED_AT = at(1, 200); // LSN 201

  static Stream<Arguments> truncations() {
    Stream<Arguments> zeroed =
        IntStream.rangeClosed(0, REC)
            .mapToObj(
                cut ->
                    row(
                        "torn (zero-filled) after " + cut + " bytes of the last record",
                        zeros(3, LAST_AT + cut, LAST_AT + REC),
                        cut == 0 ? Kind.CLEAN : cut == REC ? Kind.CLEAN : Kind.TORN,
                        cut == REC ? LAST : LAST - 1,
                        null));
    Stream<Arguments> cut =
        IntStream.rangeClosed(0, REC)
            .mapToObj(
                n ->
                    row(
                        "file cut after " + n + " bytes of the last record",
                        s -> s.truncate(seg(3), LAST_AT + n),
                        Kind.CORRUPT,
                        0,
                        "preallocated at 65536 bytes"));
    return Stream.concat(zeroed, cut);
  }

  static Stream<Arguments> fieldDamage() {
    List<Arguments> rows = new ArrayList<>();
    String[] fields = {"length", "crc", "lsn", "type", "payload", "end mark"};
    int[] offsets = {0, 5, 9, 16, 60, REC - 1};
    for (int f = 0; f < fields.length; f++) {
      rows.add(
          row(
              "bit flip in " + fields[f] + " of the last record",
              flip(3, LAST_AT + offsets[f], 1),
              Kind.CORRUPT,
              0,
              f == 0 ? "the stored length 98 is damaged" : "so it is not a torn write"));
      rows.add(
          row(
              "bit flip in " + fields[f] + " mid last segment",
              flip(3, MID_AT + offsets[f], 1),
              Kind.CORRUPT,
              0,
              "segment 3"));
      rows.add(
          row(
              "bit flip in " + fields[f] + " in a sealed segment",
              flip(1, SEALED_AT + offsets[f], 1),
              Kind.CORRUPT,
              0,
              "segment 1"));
      rows.add(
          row(
              "bit flip in " + fields[f] + " of a sealed segment's last record",
              flip(1, at(1, 558) + offsets[f], 1),
              Kind.CORRUPT,
              0,
              "segment"));
    }
    // A flipped bit of the last record's length, whichever bit: bits 12 and up push it beyond
    // maxRecordSize (4096) or the file, which a torn write into zeros never does (it can only
    // lower a length), so the flip-back check runs there too (issue 11 audit, gap 1).
    for (int bit = 1; bit < 32; bit++) {
      long stored = 99L ^ (1L << bit);
      rows.add(
          row(
              "bit " + bit + " flipped in the length of the last record (stored " + stored + ")",
              flip(3, LAST_AT + bit / 8, 1 << (bit % 8)),
              Kind.CORRUPT,
              0,
              "the stored length " + stored + " is damaged (the CRC matches length 99)"));
    }
    // A one-bit flip that turns the last record's type into 0 ("end of data"): types 1, 2, 4,
    // ..., 128 can do it; 16 is the TM's EPOCH_STARTED (issue 11 audit, gap 2).
    for (int bit = 0; bit < 8; bit++) {
      int type = 1 << bit;
      rows.add(
          row(
              "type " + type + " of the last record flipped to 0",
              s -> {
                s.poke(seg(3), LAST_AT, record(LAST, type, payload(LAST)));
                flip(3, LAST_AT + 16, type).apply(s);
              },
              Kind.CORRUPT,
              0,
              "the record there is valid with type " + type));
    }
    rows.add(
        row(
            "type byte of the last record (101, four bits) zeroed",
            s -> s.poke(seg(3), LAST_AT + 16, new byte[] {0}),
            Kind.CORRUPT,
            0,
            "offset "
                + LAST_AT
                + ": type byte 0 (end of data) followed by non-zero bytes, but the"
                + " record there is valid with type 101 (LSN 1500, length 99)"));
    rows.add(
        row(
            "type 16 flipped to 0 mid last segment",
            s -> {
              s.poke(seg(3), MID_AT, record(1219, 16, payload(1219)));
              flip(3, MID_AT + 16, 16).apply(s);
            },
            Kind.CORRUPT,
            0,
            "the record there is valid with type 16"));
    rows.add(
        row(
            "type 64 flipped to 0 in a sealed segment's last record",
            s -> {
              s.poke(seg(1), at(1, 558), record(559, 64, payload(559)));
              flip(1, at(1, 558) + 16, 64).apply(s);
            },
            Kind.CORRUPT,
            0,
            "segment 1"));
    // More than one bit: no flip-back matches, but the header is ours (the expected LSN), and a
    // torn write never raises a length.
    rows.add(
        row(
            "two bits flipped in the length of the last record, beyond maxRecordSize",
            s -> {
              flip(3, LAST_AT, 0x01).apply(s);
              flip(3, LAST_AT + 1, 0x10).apply(s);
            },
            Kind.CORRUPT,
            0,
            "record length 4194 exceeds maxRecordSize 4096; yet the header carries the expected"
                + " LSN 1500: the stored length 4194 is damaged"));
    rows.add(
        row(
            "the length of the last record overwritten with 0xffffffff",
            s -> s.poke(seg(3), LAST_AT, new byte[] {-1, -1, -1, -1}),
            Kind.CORRUPT,
            0,
            "offset "
                + LAST_AT
                + ": record length 4294967295 exceeds maxRecordSize 4096; yet the"
                + " header carries the expected LSN 1500"));
    // The limits FORMAT.md states ("Not detected"): damage that leaves what a torn write leaves.
    rows.add(
        row(
            "two bits of the last record's length flipped, in bounds, into the zeros"
                + " (undetectable, FORMAT.md)",
            flip(3, LAST_AT + 1, 0x03),
            Kind.TORN,
            LAST - 1,
            null));
    rows.add(
        row(
            "type byte of the last record zeroed and a payload bit flipped"
                + " (undetectable, FORMAT.md)",
            s -> {
              s.poke(seg(3), LAST_AT + 16, new byte[] {0});
              flip(3, LAST_AT + 60, 0x01).apply(s);
            },
            Kind.TORN,
            LAST - 1,
            null));
    rows.add(
        row(
            "flipped length enlarges a record mid segment (#934 case)",
            flip(3, MID_AT + 1, 0x10),
            Kind.CORRUPT,
            0,
            // Refused at the record itself now, no longer only through LSN 1220 after it.
            "offset "
                + MID_AT
                + ": record length 4195 exceeds maxRecordSize 4096; the stored"
                + " length 4195 is damaged (the CRC matches length 99)"));
    rows.add(
        row(
            "flipped length shrinks a record mid segment",
            flip(3, MID_AT, 0x40),
            Kind.CORRUPT,
            0,
            "segment 3"));
    rows.add(
        row(
            "flipped length beyond maxRecordSize mid segment",
            flip(3, MID_AT + 3, 0x80),
            Kind.CORRUPT,
            0,
            "exceeds maxRecordSize"));
    return rows.stream();
  }

  static Stream<Arguments> tails() {
    long end = LAST_AT + REC;
    byte[] garbage = new byte[3000];
    new Random(42).nextBytes(garbage);
    return Stream.of(
        row("untouched log", s -> {}, Kind.CLEAN, LAST, null),
        row(
            "zero tail after a partial header",
            zeros(3, LAST_AT + 9, LAST_AT + REC),
            Kind.TORN,
            LAST - 1,
            null),
        row(
            "garbage tail without a valid record",
            s -> s.poke(seg(3), end, garbage),
            Kind.TORN,
            LAST,
            null),
        row(
            "stale record (a copy of an earlier one) after the end",
            s -> s.poke(seg(3), end, record(1200, 7, payload(1200))),
            Kind.CORRUPT,
            0,
            "stale record (a valid record with LSN 1200, expected 1501)"),
        row(
            "stale record then zeros then more stale",
            s -> {
              s.poke(seg(3), end + 40, record(900, 7, payload(900)));
              s.poke(seg(3), end + 5000, record(901, 7, payload(901)));
            },
            Kind.CORRUPT,
            0,
            "valid record with LSN 900 follows"),
        row(
            "the last records overwritten with copies of earlier ones",
            s -> {
              for (int k = 0; k < 5; k++) {
                s.poke(
                    seg(3), LAST_AT - 4L * REC + k * REC, record(1119 + k, 1, payload(1119 + k)));
              }
            },
            Kind.CORRUPT,
            0,
            "stale record (a valid record with LSN 1119, expected 1496)"),
        row(
            "torn last record whose payload holds a valid-looking frame",
            s -> {
              byte[] torn = new byte[17 + 300];
              ByteBuffer b = ByteBuffer.wrap(torn).order(ByteOrder.LITTLE_ENDIAN);
              b.putInt(300).putInt(0x1234567).putLong(LAST + 1).put((byte) 7);
              System.arraycopy(record(LAST + 2, 7, payload(LAST + 2)), 0, torn, 27, REC);
              s.poke(seg(3), end, torn); // the bytes after offset 27 + 117 never reached the disk
            },
            Kind.TORN,
            LAST,
            null),
        row(
            "garbage then a valid record with a later LSN",
            s -> {
              s.poke(seg(3), end, garbage);
              s.poke(seg(3), end + 3000, record(LAST + 1, 7, payload(LAST + 1)));
            },
            Kind.CORRUPT,
            0,
            "LSN 1501"),
        row(
            "valid records after a torn one",
            zeros(3, MID_AT + 20, MID_AT + 60),
            Kind.CORRUPT,
            0,
            "offset " + MID_AT));
  }

  static Stream<Arguments> files() {
    return Stream.of(
        row(
            "gap in segment indices (middle segment deleted)",
            s -> s.remove(seg(2)),
            Kind.CORRUPT,
            0,
            "gap in segment indices: expected 2, actual 3"),
        row(
            "last segment renamed ahead",
            s -> {
              s.put(seg(5), s.contents(seg(3)));
              s.remove(seg(3));
            },
            Kind.CORRUPT,
            0,
            "segment 3 ("),
        row(
            "last segment deleted (the spare proves it existed)",
            s -> s.remove(seg(3)),
            Kind.CORRUPT,
            0,
            "segment 3 is missing, yet segment file 4"),
        row(
            "last segment and the spare deleted (wal.head names it)",
            s -> {
              s.remove(seg(3));
              s.remove(seg(4));
            },
            Kind.CORRUPT,
            0,
            "is missing, but wal.head names segment 3 (first LSN 1119)"),
        row(
            "last segment renamed away",
            s -> {
              s.put(DIR.resolve("00000000000000000003.wal.old"), s.contents(seg(3)));
              s.remove(seg(3));
              s.remove(seg(4));
            },
            Kind.CORRUPT,
            0,
            "is missing, but wal.head names segment 3"),
        row(
            "last segment zeroed",
            s -> replace(s, seg(3), new byte[64 * 1024]),
            Kind.CORRUPT,
            0,
            "was prepared after it was taken into use"),
        row(
            "last segment zeroed and the spare deleted",
            s -> {
              replace(s, seg(3), new byte[64 * 1024]);
              s.remove(seg(4));
            },
            Kind.CORRUPT,
            0,
            "holds no valid header nor record, but wal.head names segment 3"),
        row(
            "last segment cut to its header",
            s -> s.truncate(seg(3), HDR),
            Kind.CORRUPT,
            0,
            "file is 128 bytes, but its header says it was preallocated at 65536 bytes"),
        row(
            "last segment cut to 0 bytes",
            s -> s.truncate(seg(3), 0),
            Kind.CORRUPT,
            0,
            "partial preallocation (0 bytes)), yet segment file 4"),
        row(
            "last segment cut inside its header",
            s -> s.truncate(seg(3), 60),
            Kind.CORRUPT,
            0,
            "file is 60 bytes, shorter than a segment header"),
        row(
            "older copy of the last segment (after a crash: undetectable, FORMAT.md)",
            s -> replace(s, seg(3), olderSegment3),
            Kind.CLEAN,
            1300,
            null),
        row(
            "a segment of another log (same node) in the middle",
            s -> replace(s, seg(2), foreignSegment2),
            Kind.CORRUPT,
            0,
            "segment of another log"),
        row(
            "wal.head missing on a format-2 log: refused, naming the file and the fix",
            s -> s.remove(DIR.resolve("wal.head")),
            Kind.CORRUPT,
            0,
            "wal.head is missing, but segment 3 (header offset 8) is of format 2"),
        row(
            "wal.head unreadable (both slots)",
            s -> s.poke(DIR.resolve("wal.head"), 0, new byte[8192]),
            Kind.CORRUPT,
            0,
            "neither slot holds a valid head"),
        row(
            "wal.head: a torn read-modify-write of the first 4 KiB block breaks one slot only",
            s -> s.poke(DIR.resolve("wal.head"), 0, new byte[4096]),
            Kind.CLEAN,
            LAST,
            null),
        row(
            "wal.head: the newest slot broken although records follow what it named: refused",
            s -> s.poke(DIR.resolve("wal.head"), 4096, new byte[4096]),
            Kind.CORRUPT,
            0,
            "names segment 2 as the newest segment in use, but segment 3"),
        row(
            "format 1 log (headers of version 1, no wal.head) opens by the format-1 rules",
            s -> {
              for (int i = 1; i <= 3; i++) {
                toVersion1(seg(i)).apply(s);
              }
              s.remove(DIR.resolve("wal.head"));
            },
            Kind.CLEAN,
            LAST,
            null),
        row("bad magic in a sealed segment", flip(1, 2, 4), Kind.CORRUPT, 0, "bad magic"),
        row("bad magic in the last segment", flip(3, 0, 1), Kind.CORRUPT, 0, "bad magic"),
        row(
            "unknown format version",
            s -> s.poke(seg(2), 8, new byte[] {3, 0}),
            Kind.CORRUPT,
            0,
            "unknown format version: expected 1..2, actual 3"),
        row("header CRC flipped", flip(2, 125, 1), Kind.CORRUPT, 0, "header CRC mismatch"),
        row(
            "header field flipped (first LSN)",
            flip(2, 24, 1),
            Kind.CORRUPT,
            0,
            "header CRC mismatch"),
        row(
            "header index differs from the file name",
            header(
                2,
                h ->
                    new SegmentHeader(
                        7,
                        h.firstLsn(),
                        h.createdMillis(),
                        h.logId(),
                        h.segmentSize(),
                        h.nodeId(),
                        false,
                        h.maxRecordSize())),
            Kind.CORRUPT,
            0,
            "header index: expected 2, actual 7"),
        row(
            "foreign node id in one segment",
            header(
                2,
                h ->
                    new SegmentHeader(
                        h.index(),
                        h.firstLsn(),
                        h.createdMillis(),
                        h.logId(),
                        h.segmentSize(),
                        "node-b",
                        false,
                        h.maxRecordSize())),
            Kind.CORRUPT,
            0,
            "foreign node id: expected 'node-a', actual 'node-b'"),
        row(
            "a segment of another node (our log id, other payloads) in the middle",
            otherNode(2),
            Kind.CORRUPT,
            0,
            "foreign node id: expected 'node-a', actual 'node-b'; it is never read"),
        row(
            "a segment of another node (our log id, other payloads) at the end",
            otherNode(3),
            Kind.CORRUPT,
            0,
            "foreign node id: expected 'node-a', actual 'node-b'; it is never read"),
        row(
            "first LSN of a segment breaks the chain",
            header(
                2,
                h ->
                    new SegmentHeader(
                        h.index(),
                        h.firstLsn() + 1,
                        h.createdMillis(),
                        h.logId(),
                        h.segmentSize(),
                        h.nodeId(),
                        false,
                        h.maxRecordSize())),
            Kind.CORRUPT,
            0,
            "LSN chain broken"),
        row(
            "unexpected files are ignored",
            s -> {
              s.put(DIR.resolve("x.tmp"), new byte[10]);
              s.put(DIR.resolve("123.wal"), new byte[10]);
              s.put(DIR.resolve("00000000000000000002.wal.broken"), s.contents(seg(2)));
              s.put(DIR.resolve("notes.txt"), new byte[] {1});
            },
            Kind.CLEAN,
            LAST,
            null),
        row(
            "a directory named like a segment",
            s -> s.mkdirDurable(seg(9)),
            Kind.FATAL,
            0,
            "is a directory but named like a segment"),
        row(
            "crash during rotation: next segment's header torn",
            s -> {
              byte[] file = new byte[64 * 1024];
              System.arraycopy(nextHeader(s), 0, file, 0, 50);
              replace(s, seg(4), file);
            },
            Kind.TORN,
            LAST,
            null),
        row(
            "crash during rotation: next segment header durable, no records",
            s -> {
              byte[] file = new byte[64 * 1024];
              System.arraycopy(nextHeader(s), 0, file, 0, HDR);
              replace(s, seg(4), file);
            },
            Kind.CLEAN,
            LAST,
            null),
        row(
            "crash during rotation: new segment file lost (directory entry dropped)",
            s -> {
              if (s.exists(seg(4))) {
                s.remove(seg(4));
              }
            },
            Kind.CLEAN,
            LAST,
            null),
        row(
            "crash during preallocation: spare shorter than a header",
            s -> replace(s, seg(4), new byte[40]),
            Kind.CLEAN,
            LAST,
            null),
        row(
            "crash during preallocation: partial zero fill",
            s -> replace(s, seg(4), new byte[10_000]),
            Kind.CLEAN,
            LAST,
            null),
        row(
            "complete spare never used",
            s -> replace(s, seg(4), new byte[64 * 1024]),
            Kind.CLEAN,
            LAST,
            null),
        row(
            "complete spare with a flipped bit in its zero body",
            flip(4, 30_000, 0x20),
            Kind.CLEAN,
            LAST,
            null),
        row(
            "a blank header over a CRC-valid record: not a spare, refused",
            s -> s.poke(seg(4), 5000, record(LAST + 1, 7, payload(LAST + 1))),
            Kind.CORRUPT,
            0,
            "segment 4 (/faulty/table/00000000000000000004.wal) offset 0: blank (all-zero) header"
                + " of a segment that holds records"));
  }

  /**
   * The spare (segment 4: all zeros, never used) with damage in its zero body: not log, so it is
   * deleted and made again, never refused (FORMAT.md, trailing files), unless a CRC-valid record is
   * in it.
   */
  static Stream<Arguments> spares() {
    byte[] sector = new byte[512];
    new Random(7).nextBytes(sector);
    List<Arguments> rows = new ArrayList<>();
    long[] offsets = {HDR, HDR + 1, 4095, 4096, 30_000, 64 * 1024 - 1};
    for (long o : offsets) {
      rows.add(
          row(
              "spare with a flipped bit at offset " + o + " of its zero body",
              flip(4, o, o % 2 == 0 ? 0x01 : 0x80),
              Kind.CLEAN,
              LAST,
              null));
    }
    rows.add(row("spare with 0xff at offset 200", flip(4, 200, 0xff), Kind.CLEAN, LAST, null));
    rows.add(
        row(
            "spare with a bit flipped in every 4 KiB block of its body",
            s -> {
              for (long o = HDR + 17; o < 64 * 1024; o += 4096) {
                flip(4, o, 0x08).apply(s);
              }
            },
            Kind.CLEAN,
            LAST,
            null));
    rows.add(
        row(
            "spare with a sector of random bytes in its body",
            s -> s.poke(seg(4), 8192, sector),
            Kind.CLEAN,
            LAST,
            null));
    return rows.stream();
  }

  /**
   * Segment {@code i} replaced by the same segment of a log of another node that carries our log id
   * (so only the node id tells it apart) and other payloads: read, they would show.
   */
  static Damage otherNode(int i) {
    return s -> {
      SegmentHeader ours;
      try {
        ours =
            SegmentHeader.decode(
                ByteBuffer.wrap(s.contents(seg(i)), 0, HDR).slice().order(ByteOrder.LITTLE_ENDIAN));
      } catch (SegmentHeader.BadHeader e) {
        throw new AssertionError(e);
      }
      replace(s, seg(i), i == 2 ? foreignSegment2 : foreignSegment3);
      header(
              i,
              h ->
                  new SegmentHeader(
                      h.index(),
                      h.firstLsn(),
                      h.createdMillis(),
                      ours.logId(),
                      h.segmentSize(),
                      "node-b",
                      false,
                      h.maxRecordSize()))
          .apply(s);
    };
  }

  /** Damage applied to the state of a cleanly closed log (wal.head records its last LSN). */
  static Stream<Arguments> afterCleanClose() {
    return Stream.of(
        row("untouched, closed cleanly", s -> {}, Kind.CLEAN, LAST, null),
        row(
            "older copy of the last segment after a clean close",
            s -> replace(s, seg(3), olderSegment3),
            Kind.CORRUPT,
            0,
            "closed cleanly at LSN 1500 (wal.head) but its segments end at LSN 1300"),
        row(
            "the last record zeroed after a clean close",
            zeros(3, LAST_AT, LAST_AT + REC),
            Kind.CORRUPT,
            0,
            "records 1500..1500 are gone"));
  }

  /**
   * Rewrites a segment file as a version-1 writer would have written it: a version-1 header and
   * every record without the end mark (CRC over length, lsn, type and payload only).
   */
  static Damage toVersion1(Path file) {
    return s -> {
      byte[] b = s.contents(file);
      ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer out = ByteBuffer.allocate(b.length).order(ByteOrder.LITTLE_ENDIAN);
      out.put(b, 0, HDR);
      for (int at = HDR; at + 17 <= b.length && b[at + 16] != 0; ) {
        int len = in.getInt(at);
        int start = out.position();
        out.putInt(len).putInt(0).put(b, at + 8, 9 + len);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), start, 4);
        crc.update(out.array(), start + 8, 9 + len);
        out.putInt(start + 4, (int) crc.getValue());
        at += 17 + len + 1;
      }
      s.poke(file, 0, out.array());
      header(file, CorruptionTableTest::version1).apply(s);
    };
  }

  static SegmentHeader version1(SegmentHeader h) {
    return new SegmentHeader(
        h.index(),
        h.firstLsn(),
        h.createdMillis(),
        h.logId(),
        h.segmentSize(),
        h.nodeId(),
        h.damageAccepted(),
        0,
        1);
  }

  static void replace(FaultyStorage s, Path file, byte[] bytes) throws IOException {
    if (s.exists(file)) {
      s.remove(file);
    }
    s.put(file, bytes);
  }

  /** The header the writer would give segment 4 at rotation. */
  static byte[] nextHeader(FaultyStorage s) throws IOException {
    ByteBuffer b =
        ByteBuffer.wrap(s.contents(seg(3)), 0, HDR).slice().order(ByteOrder.LITTLE_ENDIAN);
    SegmentHeader h;
    try {
      h = SegmentHeader.decode(b);
    } catch (SegmentHeader.BadHeader e) {
      throw new AssertionError(e);
    }
    ByteBuffer enc =
        new SegmentHeader(
                4,
                LAST + 1,
                h.createdMillis(),
                h.logId(),
                h.segmentSize(),
                h.nodeId(),
                false,
                h.maxRecordSize())
            .encode();
    byte[] out = new byte[HDR];
    enc.get(out);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({"truncations", "fieldDamage", "tails", "files", "spares"})
  void openingADamagedLog(Damage damage, Expect expect) throws Exception {
    FaultyStorage s = reference.copyDurable();
    damage.apply(s);
    check(s, expect);
  }

  /** The damaged spares of the table are deleted (and the index made again), not kept or read. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("spares")
  void aSpareWithADamagedZeroBodyIsDeleted(Damage damage, Expect expect) throws Exception {
    FaultyStorage s = reference.copyDurable();
    damage.apply(s);
    List<Path> deleted = java.util.Collections.synchronizedList(new ArrayList<>());
    s.setFault(
        (op, p) -> {
          if (op == FaultyStorage.Op.DELETE) {
            deleted.add(p);
          }
          return null;
        });
    try (Wal wal = Wal.open(config(s).build())) {
      assertEquals(LAST, wal.openReport().lastLsn());
      assertTrue(deleted.contains(seg(4)), "the damaged spare is deleted: " + deleted);
      assertEquals(
          4, wal.segments().get(wal.segments().size() - 1).index(), "its index is made again");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("afterCleanClose")
  void openingADamagedCleanlyClosedLog(Damage damage, Expect expect) throws Exception {
    FaultyStorage s = closedReference.copyDurable();
    damage.apply(s);
    check(s, expect);
  }

  private static void check(FaultyStorage s, Expect expect) throws Exception {
    verifies(s, expect); // read-only: first, before an open changes the directory
    switch (expect.kind()) {
      case CLEAN, TORN, OPENS -> {
        if (expect.kind() == Kind.TORN) {
          openDamagedAddsNothing(s.copyDurable(), expect);
        }
        opensAt(s, expect);
      }
      case CORRUPT -> {
        WalCorruptException e =
            assertThrows(WalCorruptException.class, () -> Wal.open(config(s).build()));
        assertTrue(e.getMessage().contains(expect.fragment()), "message: " + e.getMessage());
        assertTrue(
            e.getMessage().contains("offset"), "message names the offset: " + e.getMessage());
        openDamagedThenStrict(s);
      }
      case FATAL -> {
        WalCorruptException e =
            assertThrows(WalCorruptException.class, () -> Wal.open(config(s).build()));
        assertTrue(e.getMessage().contains(expect.fragment()), e.getMessage());
        assertThrows(
            WalCorruptException.class, () -> Wal.open(config(s).openDamaged(true).build()));
      }
    }
  }

  /**
   * {@code Wal.verify} applies the same reading rules as the open (FORMAT.md, "Read-only verify"):
   * it refuses what the open refuses, with the same evidence, and ends where the open ends.
   */
  private static void verifies(FaultyStorage s, Expect expect) throws Exception {
    switch (expect.kind()) {
      case CLEAN, TORN, OPENS -> {
        WalVerification v = Wal.verify(config(s).build());
        assertEquals(expect.lastLsn(), v.lastLsn(), "Wal.verify: last LSN");
        assertTrue(v.damage().isEmpty(), "Wal.verify: damage " + v.damage());
        if (expect.kind() == Kind.CLEAN) {
          assertNull(v.tornTail(), "Wal.verify: no torn tail expected");
        } else if (expect.kind() == Kind.TORN) {
          assertNotNull(v.tornTail(), "Wal.verify: torn tail must be reported");
        }
      }
      case CORRUPT, FATAL -> {
        WalCorruptException e =
            assertThrows(WalCorruptException.class, () -> Wal.verify(config(s).build()));
        assertTrue(
            e.getMessage().contains(expect.fragment()), "Wal.verify message: " + e.getMessage());
      }
    }
  }

  /**
   * A torn tail is not damage, also under openDamaged: the same last LSN, nothing reported, and no
   * record beyond it (a frame inside the dropped record is not a later record: no phantom).
   */
  private static void openDamagedAddsNothing(FaultyStorage s, Expect expect) throws Exception {
    try (Wal wal = Wal.open(config(s).openDamaged(true).build())) {
      OpenReport r = wal.openReport();
      assertEquals(expect.lastLsn(), r.lastLsn(), "openDamaged: last LSN");
      assertFalse(r.damaged(), "openDamaged: a torn tail is not damage: " + r.damage());
      assertNotNull(r.tornTail(), "openDamaged: torn tail must be reported");
      long lsn = 1;
      try (WalCursor c = wal.read(1)) {
        for (WalRecord rec = c.next(); rec != null; rec = c.next(), lsn++) {
          assertEquals(lsn, rec.lsn(), "openDamaged: records in order, none added");
          assertArrayEquals(payload(lsn), rec.payload(), "openDamaged: payload of LSN " + lsn);
        }
      }
      assertEquals(expect.lastLsn() + 1, lsn, "openDamaged: no record beyond the last one");
    }
  }

  private static void opensAt(FaultyStorage s, Expect expect) throws Exception {
    try (Wal wal = Wal.open(config(s).build())) {
      OpenReport r = wal.openReport();
      assertEquals(expect.lastLsn(), r.lastLsn(), "last LSN");
      assertFalse(r.damaged());
      if (expect.kind() == Kind.CLEAN) {
        assertNull(r.tornTail(), "no torn tail expected");
      } else if (expect.kind() == Kind.TORN) {
        assertNotNull(r.tornTail(), "torn tail must be reported");
      }
      long lsn = 1;
      try (WalCursor c = wal.read(1)) {
        for (WalRecord rec = c.next(); rec != null; rec = c.next(), lsn++) {
          assertEquals(lsn, rec.lsn());
          assertArrayEquals(payload(lsn), rec.payload(), "payload of LSN " + lsn);
        }
      }
      assertEquals(expect.lastLsn() + 1, lsn, "every record up to the last one reads back");
      SegmentInfo active = wal.segments().get(wal.segments().size() - 1);
      assertTrue(active.index() >= 4, "writing continues in a new segment: " + active);
      assertEquals(expect.lastLsn() + 1, wal.appendForced(1, new byte[] {1}).get());
    }
  }

  private static void openDamagedThenStrict(FaultyStorage s) throws Exception {
    long last;
    boolean inASegment;
    try (Wal wal = Wal.open(config(s).openDamaged(true).build())) {
      OpenReport r = wal.openReport();
      assertTrue(r.damaged(), "damage must be reported");
      // Damage to wal.head or to the end of the log lives in no segment a later open re-reads.
      inASegment = r.damage().stream().anyMatch(d -> d.startsWith("segment "));
      long prev = 0;
      try (WalCursor c = wal.read(1)) {
        for (WalRecord rec = c.next(); rec != null; rec = c.next()) {
          assertTrue(rec.lsn() > prev, "LSN order");
          assertArrayEquals(payload(rec.lsn()), rec.payload(), "payload of LSN " + rec.lsn());
          prev = rec.lsn();
        }
      }
      last = wal.appendForced(1, new byte[] {9}).get();
    }
    try (Wal wal = Wal.open(config(s).build())) {
      assertEquals(
          inASegment, wal.openReport().damaged(), "earlier accepted damage is still reported");
      assertEquals(last, wal.openReport().lastLsn());
    }
  }
}
