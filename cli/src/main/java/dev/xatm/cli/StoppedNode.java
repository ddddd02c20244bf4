package dev.xatm.cli;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmConfigException;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryInspection;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.WalConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;

/**
 * A stopped node as the offline database commands see it: the application's configuration, its log
 * (refused while a live process holds it), the state a start would rebuild from it ({@link
 * ReplayedLog}), and its log identity. {@link #inspect()} lists every configured and logged
 * resource read-only and decides each prepared Xid by the TM's own rules ({@link
 * RecoveryInspection}).
 *
 * <p>Threading: one command at a time.
 */
final class StoppedNode {
  final XatmConfig config;
  final RecoveryConfig recovery;
  final OfflineLog log;
  final OfflineLog.Verification verification;
  final ReplayedLog replay;
  final long logId;
  private final Map<String, String> environment;

  private StoppedNode(
      XatmConfig config,
      RecoveryConfig recovery,
      OfflineLog log,
      OfflineLog.Verification verification,
      ReplayedLog replay,
      long logId,
      Map<String, String> environment) {
    this.config = config;
    this.recovery = recovery;
    this.log = log;
    this.verification = verification;
    this.replay = replay;
    this.logId = logId;
    this.environment = environment;
  }

  static StoppedNode open(NodeOptions options) throws CliException {
    Map<String, String> env = NodeConfig.environment(options);
    XatmConfig config = NodeConfig.load(options, env);
    RecoveryConfig recovery;
    try {
      recovery = RecoveryConfig.parse(config.recovery(), env);
    } catch (XatmConfigException e) {
      throw new CliException(ExitCodes.USAGE, "configuration: " + e.getMessage(), e);
    }
    Path dir = config.logDir();
    OfflineLog log = new OfflineLog(dir, WalConfig.DEFAULT_MAX_RECORD_SIZE, config.nodeId());
    log.requireStopped();
    OfflineLog.Verification v = log.verify();
    if (v.scan().segments().isEmpty()) {
      throw new CliException(
          ExitCodes.USAGE,
          dir
              + " holds no log segment"
              + (v.damaged() ? ": " + v.strictFailure() : "")
              + "; give the node's log directory (xatm.log.dir, --log-dir)");
    }
    ReplayedLog r = ReplayedLog.replay(log, v.scan(), v.damaged());
    if (r.state() == null) {
      throw new CliException(
          ExitCodes.DAMAGED,
          "the log in " + dir + " cannot be replayed: " + r.problem() + " (xatm log stat)");
    }
    return new StoppedNode(config, recovery, log, v, r, logId(log, v.scan().segments()), env);
  }

  LogState state() {
    return replay.state();
  }

  /**
   * The log's identity, from the first segment's header (wal/FORMAT.md: the UUID at offset 40, msb
   * then lsb).
   */
  private static long logId(OfflineLog log, List<SegmentInfo> segments) throws CliException {
    Path f = log.directory().resolve(String.format("%020d.wal", segments.get(0).index()));
    ByteBuffer b = ByteBuffer.allocate(16);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      while (b.hasRemaining() && ch.read(b, 40 + b.position()) > 0) {
        // keep reading
      }
    } catch (IOException e) {
      throw log.io(e);
    }
    b.flip().order(java.nio.ByteOrder.LITTLE_ENDIAN); // wal/FORMAT.md: all integers little-endian
    return TxLog.logIdOf(new UUID(b.getLong(), b.getLong()));
  }

  /** Every configured and logged resource, listed read-only; each prepared Xid decided. */
  RecoveryInspection.Report inspect() {
    List<RecoveryConnector> connectors = new ArrayList<>();
    ServiceLoader.load(RecoveryConnector.class, StoppedNode.class.getClassLoader())
        .forEach(connectors::add);
    return RecoveryInspection.inspect(state(), logId, verification.damaged(), recovery, connectors);
  }

  /** The configured password of a resource id, or {@code null} (for the age query only). */
  RecoveryConfig.ResourceConfig configured(String resourceId) {
    for (RecoveryConfig.ResourceConfig rc : recovery.resources().values()) {
      try {
        if (new dev.xatm.jdbc.XatmRecoveryConnector()
            .describe(rc.url(), rc.user())
            .resourceId()
            .equals(resourceId)) {
          return rc;
        }
      } catch (IllegalArgumentException notJdbc) {
        // another connector's URL
      }
    }
    return null;
  }

  Map<String, String> environment() {
    return environment;
  }
}
