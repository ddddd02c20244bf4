package dev.xatm.it.crash;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.log.WalTxLog;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalException;
import java.nio.file.Path;

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
      return log.replay();
    }
  }

  /** {@code node/epoch/sequence}, as {@link Gtrid#toString()} prints it. */
  public static String gtridText(Gtrid g) {
    return g.nodeId() + "/" + g.epoch() + "/" + g.sequence();
  }

  /** Parses {@link #gtridText}; node ids may contain '/', so it splits at the last two. */
  public static Gtrid parseGtrid(String text) {
    int s2 = text.lastIndexOf('/');
    int s1 = text.lastIndexOf('/', s2 - 1);
    if (s1 < 1 || s2 < 0) {
      throw new IllegalArgumentException("not a gtrid: " + text);
    }
    return new Gtrid(
        text.substring(0, s1),
        Long.parseLong(text.substring(s1 + 1, s2)),
        Long.parseLong(text.substring(s2 + 1)));
  }
}
