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
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.spi.ResourceUnavailableException;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.FakeXAResource.Op;
import dev.xatm.tm.testing.Journal;
import dev.xatm.wal.WalCorruptException;
import dev.xatm.wal.storage.FaultyStorage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the TM does when the end of its log changed under it (issue 11, cases 1 and 3): a durable
 * Committing is never dropped as a torn tail, so its prepared branches are committed, never rolled
 * back; a damaged one refuses the start.
 */
class EndOfLogTmTest {

  private static final int COMMITTING = 19;
  private static final int SEGMENT_HEADER = 128;
  private static final int RECORD_HEADER = 17;
  private static final int END_MARK = 1; // wal/FORMAT.md: format-2 records end with 0xA5

  @TempDir Path dir;

  private XatmConfig config(long segmentSize) {
    return config(segmentSize, Map.of());
  }

  /** With recovery configured for {@code databases} (reached through {@link #connector}). */
  private XatmConfig config(long segmentSize, Map<String, Database> databases) {
    XatmConfig.Builder b =
        XatmConfig.builder()
            .nodeId("node-e")
            .logDir(dir.resolve("log"))
            .segmentSize(segmentSize)
            .checkpointsEnabled(false)
            .installAsDefault(false);
    databases
        .keySet()
        .forEach(n -> b.recovery("xatm.recovery.resource." + n + ".url", "fake:" + n));
    return b.build();
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

  /**
   * Case 1 of issue 11, to the end: a 500-branch Committing written with 1 MiB segments, every
   * branch still prepared (its commit failed), read after a restart with 64 KiB segments; recovery
   * commits every branch and rolls none back. Once after a clean close, once from the durable image
   * of a process that never closed (a crash).
   */
  @ParameterizedTest(name = "crash = {0}")
  @ValueSource(booleans = {false, true})
  void aCommittingWrittenWithLargerSegmentsIsCommittedAfterARestartWithSmallerOnes(boolean crash)
      throws Exception {
    Journal j = new Journal();
    Map<String, Database> databases = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) {
      String name = String.format("resource-%03d", i);
      Database d = new Database(name, j);
      d.always(Op.COMMIT, XAException.XAER_RMFAIL);
      databases.put(name, d);
    }
    FaultyStorage storage = crash ? new FaultyStorage() : null;
    FaultyStorage image = null;
    Gtrid decided;
    XatmTransactionManager first = start(config(1 << 20, databases), storage, databases);
    try {
      first.begin();
      for (Database d : databases.values()) {
        first.getTransaction().enlistResource(d);
      }
      decided = (Gtrid) first.getTransactionKey();
      first.commit(); // decided: the Committing is durable; no branch confirmed its commit
      if (crash) {
        image = storage.copyDurable(); // what a crash leaves: no clean close
      }
    } finally {
      first.close();
    }
    Frame committing = crash ? lastFrame(image) : lastFrame();
    assertEquals(COMMITTING, committing.type, "premise: the Committing is the last record");
    assertTrue(
        committing.length > 16 * 1024,
        "premise: the Committing is longer than a 64 KiB segment allows: " + committing.length);
    for (Database d : databases.values()) {
      assertEquals(1, d.prepared.size(), "premise: " + d.name() + " holds its branch prepared");
      d.clear(Op.COMMIT); // the databases answer again
    }
    try (XatmTransactionManager tm = start(config(64 * 1024, databases), image, databases)) {
      LogState s = tm.startupLogState();
      assertEquals(Set.of(decided), s.decided().keySet(), "the Committing was read, not dropped");
      assertEquals(500, s.decided().get(decided).branches().size());
      tm.recovery().runPass();
      for (Database d : databases.values()) {
        assertTrue(d.rolledBack.isEmpty(), d.name() + " rolled back " + d.rolledBack);
        assertEquals(1, d.committed.size(), d.name() + " committed " + d.committed);
        assertTrue(d.prepared.isEmpty(), d.name() + " still holds " + d.prepared.keySet());
      }
    }
    assertEquals(
        0,
        j.events().stream().filter(e -> e.contains(".rollback(")).count(),
        "no rollback was sent to any branch");
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

  /**
   * The crash variant of the above, and every field the end-of-log rules guard: a durable
   * Committing of 256 branches (its payload ends in 0x00) in the image a crash leaves (no clean
   * close, so no clean-end LSN in wal.head to fall back on), damaged in one place.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "a payload bit",
        "its last payload byte (0x00)",
        "bit 31 of its length",
        "bit 14 of its length (beyond the 16 KiB limit)",
        "its type byte zeroed"
      })
  void aDamagedDurableCommittingAtTheEndOfACrashedLogRefusesTheStart(String damage)
      throws Exception {
    FaultyStorage storage = new FaultyStorage();
    FaultyStorage image;
    XatmTransactionManager tm = start(config(64 * 1024), storage, Map.of());
    try {
      decideWithAnUnfinishedBranch(tm, 256);
      image = storage.copyDurable(); // a crash: the process never closes the log
    } finally {
      tm.close();
    }
    Frame c = lastFrame(image);
    assertEquals(COMMITTING, c.type, "premise: the Committing is the last record");
    byte[] seg = image.contents(c.file);
    long last = c.offset + RECORD_HEADER + c.length - 1;
    assertEquals(0, seg[(int) last], "premise: the payload ends in 0x00");
    String expected;
    switch (damage) {
      case "a payload bit" -> {
        flip(image, c.file, c.offset + RECORD_HEADER + c.length / 2, 0x04);
        expected = "not a torn write";
      }
      case "its last payload byte (0x00)" -> {
        flip(image, c.file, last, 0x01);
        expected = "not a torn write";
      }
      case "bit 31 of its length" -> {
        flip(image, c.file, c.offset + 3, 0x80);
        expected = "the stored length " + (c.length | 0x8000_0000L) + " is damaged";
      }
      case "bit 14 of its length (beyond the 16 KiB limit)" -> {
        flip(image, c.file, c.offset + 1, 0x40);
        expected = "the stored length " + (c.length ^ 0x4000) + " is damaged";
      }
      case "its type byte zeroed" -> {
        image.poke(c.file, c.offset + 16, new byte[] {0});
        expected = "the record there is valid with type " + COMMITTING;
      }
      default -> throw new AssertionError(damage);
    }
    XatmStartupException e =
        assertThrows(
            XatmStartupException.class,
            () -> start(config(64 * 1024), image, Map.of()).close(),
            "the start must refuse, not drop the durable Committing as a torn tail");
    WalCorruptException cause = find(e, WalCorruptException.class);
    assertTrue(cause.getMessage().contains(expected), cause.getMessage());
    assertTrue(cause.getMessage().contains("offset " + c.offset), "names the record: " + cause);
  }

  private static void flip(FaultyStorage s, Path file, long offset, int mask) throws IOException {
    byte[] b = s.contents(file);
    s.poke(file, offset, new byte[] {(byte) (b[(int) offset] ^ mask)});
  }

  private XatmTransactionManager start(
      XatmConfig config, FaultyStorage storage, Map<String, Database> databases) {
    XatmTransactionManager.Builder b =
        XatmTransactionManager.builder(config).recoveryConnectors(List.of(connector(databases)));
    if (storage != null) {
      b.logStorage(storage);
    }
    return b.start();
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return fail("no " + type.getSimpleName() + " in the cause chain of " + t);
  }

  /**
   * A resource manager that keeps its prepared branches across processes, like a database: {@code
   * recover()} lists them until they are committed or rolled back.
   */
  static final class Database extends FakeXAResource {
    final Map<String, Xid> prepared = new ConcurrentHashMap<>();
    final Set<String> committed = ConcurrentHashMap.newKeySet();
    final Set<String> rolledBack = ConcurrentHashMap.newKeySet();

    Database(String name, Journal journal) {
      super(name, journal);
    }

    @Override
    public int prepare(Xid xid) throws XAException {
      int vote = super.prepare(xid);
      if (vote == XA_OK) {
        prepared.put(key(xid), xid);
      }
      return vote;
    }

    @Override
    public void commit(Xid xid, boolean onePhase) throws XAException {
      super.commit(xid, onePhase); // throws while a failure is scripted: the branch stays
      prepared.remove(key(xid));
      committed.add(key(xid));
    }

    @Override
    public void rollback(Xid xid) throws XAException {
      super.rollback(xid);
      prepared.remove(key(xid));
      rolledBack.add(key(xid));
    }

    @Override
    public Xid[] recover(int flag) {
      return prepared.values().toArray(new Xid[0]);
    }
  }

  /** Reaches {@code fake:NAME} as the database NAME (what a JDBC connector does for real ones). */
  private static RecoveryConnector connector(Map<String, Database> databases) {
    return new RecoveryConnector() {
      @Override
      public boolean accepts(String url) {
        return url.startsWith("fake:");
      }

      @Override
      public ResourceDescriptor describe(String url, String user) {
        return new ResourceDescriptor(url.substring("fake:".length()), url, user);
      }

      @Override
      public RecoverySession open(ResourceDescriptor resource, String password)
          throws ResourceUnavailableException {
        Database d = databases.get(resource.url().substring("fake:".length()));
        if (d == null) {
          throw new ResourceUnavailableException("no database " + resource.url(), null);
        }
        return new RecoverySession() {
          @Override
          public XAResource xaResource() {
            return d;
          }

          @Override
          public void close() {}
        };
      }
    };
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
    List<byte[]> contents = new ArrayList<>();
    for (Path p : segments) {
      contents.add(Files.readAllBytes(p));
    }
    return lastFrame(segments, contents);
  }

  /** The same in the durable image {@code s} of a log on {@link FaultyStorage}. */
  private Frame lastFrame(FaultyStorage s) throws IOException {
    List<Path> segments = new ArrayList<>();
    for (Path p : s.list(dir.resolve("log"))) {
      if (p.getFileName().toString().endsWith(".wal")) {
        segments.add(p);
      }
    }
    segments.sort(null);
    List<byte[]> contents = new ArrayList<>();
    for (Path p : segments) {
      contents.add(s.contents(p));
    }
    return lastFrame(segments, contents);
  }

  private static Frame lastFrame(List<Path> segments, List<byte[]> contents) {
    for (int i = segments.size() - 1; i >= 0; i--) {
      ByteBuffer b = ByteBuffer.wrap(contents.get(i)).order(ByteOrder.LITTLE_ENDIAN);
      Frame last = null;
      for (int at = SEGMENT_HEADER; at + RECORD_HEADER <= b.capacity() && b.get(at + 16) != 0; ) {
        int length = b.getInt(at);
        last = new Frame(segments.get(i), at, length, Byte.toUnsignedInt(b.get(at + 16)));
        at += RECORD_HEADER + length + END_MARK;
      }
      if (last != null) {
        return last;
      }
    }
    return fail("no record in " + segments);
  }
}
