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
import java.nio.file.Path;
import java.time.Clock;

/**
 * Reads what a crashed TM left in its log, without starting a TM (no epoch is written, nothing is
 * recovered): the {@link LogState} a replay of the WAL implies. The crash tests take it right after
 * the crash, before any recovery, as the reference for I2 and I3.
 */
public final class CrashLog {
  /** Segment size of every crash-test log (small: preallocation is quick). */
  public static final long SEGMENT_SIZE = 1024 * 1024;

  private CrashLog() {}

  /** Replays the log in {@code dir}; the directory must not be in use by a live process. */
  public static LogState read(Path dir) throws WalException, TxLogException {
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
