package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.wal.storage.FaultyStorage;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure table rows 42 and 43: what the log does when its directory or settings changed between
 * runs.
 */
class StartupConditionsTest {

  @TempDir Path tmp;

  @Test
  void segmentSizeChangedBetweenRunsKeepsOldSegmentsAndUsesTheNewSizeForNewOnes() throws Exception {
    Path dir = tmp.resolve("log");
    List<WalRecord> written = new ArrayList<>();
    try (Wal wal = Wal.open(WalBasicsTest.config(dir).segmentSize(64 * 1024).build())) {
      for (int i = 0; i < 600; i++) {
        byte[] p = WalBasicsTest.bytes("small-segments-" + i);
        written.add(new WalRecord(wal.appendForced(3, p).get(), 3, p));
      }
    }
    try (Wal wal = Wal.open(WalBasicsTest.config(dir).segmentSize(256 * 1024).build())) {
      assertEquals(written, WalBasicsTest.readAll(wal, 1), "old 64 KiB segments still read");
      byte[] p = WalBasicsTest.bytes("big-segments");
      written.add(new WalRecord(wal.appendForced(4, p).get(), 4, p));
      SegmentInfo active = wal.segments().get(wal.segments().size() - 1);
      assertTrue(active.active());
      assertEquals(
          256 * 1024L,
          Files.size(dir.resolve(String.format("%020d.wal", active.index()))),
          "the new segment has the new size");
    }
    try (Wal wal = Wal.open(WalBasicsTest.config(dir).segmentSize(128 * 1024).build())) {
      assertEquals(written, WalBasicsTest.readAll(wal, 1), "mixed sizes read back after reopen");
    }
  }

  @Test
  void aFileWhereTheDirectoryShouldBeIsRefusedNamingIt() throws Exception {
    Path notADir = tmp.resolve("log");
    Files.writeString(notADir, "not a log");
    WalException e =
        assertThrows(WalException.class, () -> Wal.open(WalBasicsTest.config(notADir).build()));
    assertTrue(e.getMessage().contains(notADir.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    assertEquals("not a log", Files.readString(notADir), "nothing was written over it");
  }

  @Test
  void anUnwritableDirectoryRefusesToOpenAndSaysSo() {
    // Root ignores permission bits, so the refusal comes from the storage seam, as EACCES would.
    FaultyStorage storage = new FaultyStorage();
    Path dir = Path.of("/faulty/log");
    storage.setFault(
        (op, path) ->
            op == FaultyStorage.Op.MKDIRS || op == FaultyStorage.Op.CREATE
                ? new AccessDeniedException(path.toString(), null, "read-only file system")
                : null);
    WalException e =
        assertThrows(
            WalException.class, () -> Wal.open(WalBasicsTest.config(dir).storage(storage).build()));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    assertTrue(
        e.getCause() instanceof AccessDeniedException, "the cause says why: " + e.getCause());
  }

  @Test
  void aMissingDirectoryIsCreated() throws Exception {
    Path dir = tmp.resolve("a/b/log");
    try (Wal wal = Wal.open(WalBasicsTest.config(dir).build())) {
      assertEquals(1L, wal.appendForced(1, new byte[] {1}).get());
    }
    assertTrue(Files.isDirectory(dir));
  }
}
