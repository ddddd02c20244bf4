package dev.xatm.cli;

import dev.xatm.wal.WalConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every offline log command takes. */
final class LogOptions {
  @Option(
      names = "--max-record-size",
      paramLabel = "BYTES",
      description =
          "Largest record payload the scan accepts (default: ${DEFAULT-VALUE}, the TM's limit).")
  int maxRecordSize = WalConfig.DEFAULT_MAX_RECORD_SIZE;

  @Option(
      names = "--node-id",
      paramLabel = "ID",
      description = "Require the log to belong to this node id (default: whatever it holds).")
  String nodeId;

  OfflineLog open(Path dir) {
    return new OfflineLog(dir, maxRecordSize, nodeId);
  }
}
