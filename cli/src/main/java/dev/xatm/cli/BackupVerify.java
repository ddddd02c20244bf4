package dev.xatm.cli;

import dev.xatm.snapshot.BackupReport;
import dev.xatm.snapshot.BackupVerificationException;
import dev.xatm.snapshot.SnapshotException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code xatm backup verify DEST}: verifies a backup read-only ({@code LogSnapshots.verifyBackup}):
 * its newest checkpoint verifies and its segments form a gap-free chain of one node from that
 * checkpoint on. Restoring is starting a TM with the same node id on a copy of DEST.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify a backup read-only: its newest checkpoint and a gap-free chain of one node's"
          + " segments from it. Exit 1: it does not verify."
    })
final class BackupVerify implements Callable<Integer>, Xatm.JsonOutput {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DEST", description = "The backup directory.")
  Path dest;

  @Mixin LogOptions options;

  @Option(names = "--json", description = "One JSON document on stdout.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() throws CliException {
    OfflineLog backup = options.open(dest);
    backup.requireStopped(); // a backup has no lock file; a live log directory is refused
    OfflineLog.Verification v = backup.verify();
    if (v.damaged()) {
      throw new CliException(
          ExitCodes.DAMAGED, "backup " + dest + " is not a valid log: " + v.strictFailure());
    }
    BackupReport report;
    try {
      report =
          BackupCommand.backup(new StoppedWal(backup.config(false), v.scan())).verifyBackup(dest);
    } catch (BackupVerificationException e) {
      throw new CliException(ExitCodes.DAMAGED, e.getMessage(), e);
    } catch (SnapshotException e) {
      throw new CliException(ExitCodes.IO_ERROR, e.getMessage(), e);
    }
    BackupCommand.print(spec.commandLine().getOut(), report, json, "verified");
    return ExitCodes.OK;
  }
}
