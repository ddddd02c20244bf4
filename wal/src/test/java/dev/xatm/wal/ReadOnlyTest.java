package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Wal#readOnly} reads a closed log's records without touching a byte of the directory. */
class ReadOnlyTest {
  @TempDir Path dir;

  private WalConfig config(boolean damaged) {
    return WalConfig.builder(dir)
        .segmentSize(64 * 1024)
        .maxRecordSize(4096)
        .openDamaged(damaged)
        .build();
  }

  private void write(int records) throws Exception {
    try (Wal wal = Wal.open(config(false))) {
      for (int i = 0; i < records; i++) {
        wal.appendForced(7, new byte[] {(byte) i, 1, 2, 3}).get();
      }
    }
  }

  /** Names, sizes, modification times and contents of every entry. */
  private Map<String, String> image() throws IOException {
    Map<String, String> out = new TreeMap<>();
    out.put(".", Files.getLastModifiedTime(dir).toString());
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        out.put(
            p.getFileName().toString(),
            Files.getLastModifiedTime(p)
                + " "
                + java.util.Arrays.hashCode(Files.readAllBytes(p))
                + " "
                + Files.size(p));
      }
    }
    return out;
  }

  @Test
  void readsEveryRecordFromAnLsnAndWritesNothing() throws Exception {
    write(300); // several 64 KiB segments
    Map<String, String> before = image();
    try (WalCursor c = Wal.readOnly(config(false), 120)) {
      for (int i = 119; i < 300; i++) {
        WalRecord r = c.next();
        assertEquals(i + 1, r.lsn());
        assertArrayEquals(new byte[] {(byte) i, 1, 2, 3}, r.payload());
      }
      assertNull(c.next());
    }
    assertEquals(before, image(), "the directory changed under a read-only read");
  }

  @Test
  void damageFailsStrictlyAndIsReadAcrossWhenAccepted() throws Exception {
    write(50);
    Path first = dir.resolve(String.format("%020d.wal", 1));
    // Flip a payload byte of a record in the middle of the first segment: a CRC mismatch with
    // valid records after it is damage, not a torn tail.
    long offset;
    try (FileChannel ch = FileChannel.open(first, StandardOpenOption.READ)) {
      offset = findRecordPayload(ch);
    }
    try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xEE}), offset);
    }
    Map<String, String> before = image();
    assertThrows(WalCorruptException.class, () -> Wal.readOnly(config(false), 1));
    int read = 0;
    try (WalCursor c = Wal.readOnly(config(true), 1)) {
      while (c.next() != null) {
        read++;
      }
    }
    assertEquals(49, read, "every record but the damaged one");
    assertEquals(before, image());
  }

  /** Offset of the payload of the tenth record (records are 4-byte payloads of type 7). */
  private static long findRecordPayload(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 64 * 1024));
    ch.read(b, 0);
    byte[] a = b.array();
    int found = 0;
    for (int i = 0; i + 4 <= a.length; i++) {
      if (a[i] == 9 && a[i + 1] == 1 && a[i + 2] == 2 && a[i + 3] == 3) {
        found = i;
        break;
      }
    }
    if (found == 0) {
      throw new AssertionError("record 10 not found");
    }
    return found;
  }
}
