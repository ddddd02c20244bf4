package dev.xatm.it.crash;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.tm.snapshot.LogLifecycle;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads what a crashed TM left in its log, without starting a TM (no epoch is written, nothing is
 * recovered): the {@link LogState} a replay of the WAL implies. The crash tests take it right after
 * the crash, before any recovery, as the reference for I2 and I3.
 */
public final class CrashLog {
  /** Segment size of every crash-test log (small: preallocation is quick). */
  public static final long SEGMENT_SIZE = 1024 * 1024;

  private CrashLog() {}

  /**
   * Where the crash-test TMs archive the segments GC removes ({@code xatm.log.archive.dir}): the
   * invariant checks need the whole history, and a start and a clean close take a checkpoint that
   * does not carry ended transactions (their Committing is then only in the archive).
   */
  public static Path archiveOf(Path logDir) {
    return logDir.resolveSibling(logDir.getFileName() + "-archive");
  }

  /**
   * Replays everything the log ever durably held: the archived segments and those still in {@code
   * dir}, from LSN 1 (no checkpoint), on a copy; falls back to {@link #readFromCheckpoint} when GC
   * removed segments that no archive kept. The directory must not be in use by a live process.
   */
  public static LogState read(Path dir) throws WalException, TxLogException {
    List<Path> archived = segments(archiveOf(dir));
    Path copy;
    try {
      copy = Files.createTempDirectory(dir.getParent(), "history-");
      for (Path p : archived) {
        Files.copy(p, copy.resolve(p.getFileName()));
      }
      for (Path p : segments(dir)) {
        Files.copy(p, copy.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
      Files.copy(dir.resolve("wal.head"), copy.resolve("wal.head"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (WalTxLog log = new WalTxLog(Wal.open(config(copy)))) {
      if (log.wal().segments().get(0).firstLsn() == 1) {
        return log.replay(); // from LSN 1: the archive plus the log is gap-free or open refuses
      }
    }
    // GC removed segments no archive kept: the newest checkpoint is all there is.
    return readFromCheckpoint(dir);
  }

  private static List<Path> segments(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".wal")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static WalConfig config(Path dir) {
    return WalConfig.builder(dir)
        .segmentSize(SEGMENT_SIZE)
        .maxRecordSize((int) (SEGMENT_SIZE / 4))
        .build();
  }

  /** Replays the log in {@code dir} from its newest checkpoint, as a start does. */
  public static LogState readFromCheckpoint(Path dir) throws WalException, TxLogException {
    WalConfig config =
        WalConfig.builder(dir)
            .segmentSize(SEGMENT_SIZE)
            .maxRecordSize((int) (SEGMENT_SIZE / 4))
            .build();
    try (WalTxLog log = new WalTxLog(Wal.open(config))) {
      // From the newest checkpoint, as a start does: a start and a clean close take one and GC
      // deletes the segments before it, so a replay from the first segment left would miss the
      // decided transactions only the checkpoint carries.
      LogLifecycle.prepare(
          log, XatmConfig.builder().segmentSize(SEGMENT_SIZE).build(), Clock.systemUTC());
      return log.replay();
    }
  }

  /** As {@link Gtrid#toString()} prints it (log identity and incarnation included). */
  public static String gtridText(Gtrid g) {
    return g.toString();
  }

  /** Parses {@link #gtridText} ({@link Gtrid#parse}). */
  public static Gtrid parseGtrid(String text) {
    return Gtrid.parse(text)
        .orElseThrow(() -> new IllegalArgumentException("not a gtrid: " + text));
  }
}
