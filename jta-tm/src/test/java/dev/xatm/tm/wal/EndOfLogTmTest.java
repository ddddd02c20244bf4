package dev.xatm.tm.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmStartupException;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.FakeXAResource.Op;
import dev.xatm.tm.testing.Journal;
import dev.xatm.wal.WalCorruptException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the TM does when the end of its log changed under it (issue 11, cases 1 and 3): a durable
 * Committing is never dropped as a torn tail, so its prepared branches are never rolled back.
 */
class EndOfLogTmTest {

  private static final int COMMITTING = 19;
  private static final int SEGMENT_HEADER = 128;
  private static final int RECORD_HEADER = 17;

  @TempDir Path dir;

  private XatmConfig config(long segmentSize) {
    return XatmConfig.builder()
        .nodeId("node-e")
        .logDir(dir.resolve("log"))
        .segmentSize(segmentSize)
        .checkpointsEnabled(false)
        .installAsDefault(false)
        .build();
  }

  /** Commits over {@code n} branches whose last one fails its commit: decided, not finished. */
  private static Gtrid decideWithAnUnfinishedBranch(XatmTransactionManager tm, int n)
      throws Exception {
    Journal j = new Journal();
    tm.begin();
    for (int i = 0; i < n; i++) {
      FakeXAResource r = new FakeXAResource(String.format("resource-%03d", i), j);
      if (i == n - 1) {
        r.always(Op.COMMIT, XAException.XAER_RMFAIL);
      }
      tm.getTransaction().enlistResource(r);
    }
    Gtrid g = (Gtrid) tm.getTransactionKey();
    tm.commit(); // decided; the failed branch is retried in the background
    return g;
  }

  @Test
  void aCommittingWrittenWithLargerSegmentsSurvivesARestartWithSmallerOnes() throws Exception {
    Gtrid decided;
    try (XatmTransactionManager tm = XatmTransactionManager.start(config(1 << 20))) {
      decided = decideWithAnUnfinishedBranch(tm, 500);
    }
    Frame committing = lastFrame();
    assertEquals(COMMITTING, committing.type);
    assertTrue(
        committing.length > 16 * 1024,
        "premise: the Committing is longer than a 64 KiB segment allows: " + committing.length);
    try (XatmTransactionManager tm = XatmTransactionManager.start(config(64 * 1024))) {
      LogState s = tm.startupLogState();
      assertEquals(Set.of(decided), s.decided().keySet(), "the Committing was read, not dropped");
      assertEquals(500, s.decided().get(decided).branches().size());
    }
  }

  @Test
  void aDamagedDurableCommittingAtTheEndRefusesTheStart() throws Exception {
    try (XatmTransactionManager tm = XatmTransactionManager.start(config(64 * 1024))) {
      decideWithAnUnfinishedBranch(tm, 2);
    }
    Frame committing = lastFrame();
    assertEquals(COMMITTING, committing.type, "premise: the Committing is the last record");
    try (RandomAccessFile f = new RandomAccessFile(committing.file.toFile(), "rw")) {
      long at = committing.offset + RECORD_HEADER + committing.length / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x04); // one flipped bit, as a lying disk leaves it
    }
    XatmStartupException e =
        assertThrows(
            XatmStartupException.class, () -> XatmTransactionManager.start(config(64 * 1024)));
    WalCorruptException cause = find(e, WalCorruptException.class);
    assertTrue(cause.getMessage().contains("not a torn write"), cause.getMessage());
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return fail("no " + type.getSimpleName() + " in the cause chain of " + t);
  }

  record Frame(Path file, long offset, int length, int type) {}

  /** The last record of the newest segment holding records, read straight from the file. */
  private Frame lastFrame() throws IOException {
    List<Path> segments = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir.resolve("log"))) {
      files
          .filter(p -> p.getFileName().toString().endsWith(".wal"))
          .sorted()
          .forEach(segments::add);
    }
    for (int i = segments.size() - 1; i >= 0; i--) {
      ByteBuffer b =
          ByteBuffer.wrap(Files.readAllBytes(segments.get(i))).order(ByteOrder.LITTLE_ENDIAN);
      Frame last = null;
      for (int at = SEGMENT_HEADER; at + RECORD_HEADER <= b.capacity() && b.get(at + 16) != 0; ) {
        int length = b.getInt(at);
        last = new Frame(segments.get(i), at, length, Byte.toUnsignedInt(b.get(at + 16)));
        at += RECORD_HEADER + length;
      }
      if (last != null) {
        return last;
      }
    }
    return fail("no record in " + segments);
  }
}
