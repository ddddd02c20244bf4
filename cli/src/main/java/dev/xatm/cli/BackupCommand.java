package dev.xatm.cli;

import dev.xatm.snapshot.BackupReport;
import dev.xatm.snapshot.BackupVerificationException;
import dev.xatm.snapshot.LogSnapshots;
import dev.xatm.snapshot.SnapshotException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code xatm backup DIR DEST}: backs a stopped node's log up with the snapshot module's {@link
 * LogSnapshots#backup} (newest valid checkpoint and the segments from it on; incremental into an
 * earlier backup in DEST), then verifies the copy. The source is only read: files are hard-linked
 * or copied into DEST. A running node is backed up through its own TM instead ({@code
 * tm.backup(dir)}).
 */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Back up a stopped node's log DIR into DEST (created if absent; an earlier backup there is"
          + " updated), then verify the copy. The source is never written.",
      "Exit 1: the source is damaged or the copy does not verify. Exit 3: a live process holds"
          + " DIR (back a running node up through its TM)."
    },
    subcommands = BackupVerify.class)
final class BackupCommand implements Callable<Integer>, Xatm.JsonOutput {
  @Spec CommandSpec spec;

  // Optional for picocli only: required positionals of a parent command would be demanded before
  // its subcommand too ("backup verify DEST"); call() requires both.
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description = "The log directory (xatm.log.dir).")
  Path dir;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "DEST",
      description = "The backup directory.")
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
    if (dir == null || dest == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give the log directory DIR and the backup directory DEST");
    }
    OfflineLog log = options.open(dir);
    log.requireStopped();
    OfflineLog.Verification v = log.verify();
    if (v.damaged()) {
      throw new CliException(
          ExitCodes.DAMAGED,
          "the log in "
              + dir
              + " is damaged and was not backed up (xatm log verify lists the damage): "
              + v.strictFailure());
    }
    if (v.scan().segments().isEmpty()) {
      throw new CliException(
          ExitCodes.USAGE, dir + " holds no log segment; give the log directory of a node");
    }
    if (dest.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
      throw new CliException(ExitCodes.USAGE, "DEST must not be the log directory itself");
    }
    BackupReport report;
    try {
      report = backup(new StoppedWal(log.config(false), v.scan())).backup(dest);
    } catch (BackupVerificationException e) {
      throw new CliException(ExitCodes.DAMAGED, e.getMessage(), e);
    } catch (SnapshotException e) {
      throw new CliException(ExitCodes.IO_ERROR, e.getMessage(), e);
    }
    print(spec.commandLine().getOut(), report, json, "backed up and verified");
    return ExitCodes.OK;
  }

  /** The backup side of the snapshot subsystem over a stopped log: nothing else runs. */
  static LogSnapshots backup(StoppedWal wal) {
    return LogSnapshots.stopped(wal, Clock.systemUTC());
  }

  static void print(PrintWriter out, BackupReport r, boolean json, String what) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", true);
      m.put("target", r.target().toString());
      m.put("checkpointLsn", r.checkpointLsn());
      m.put("firstLsn", r.firstLsn());
      m.put("lastLsn", r.lastLsn());
      m.put("linked", r.linked());
      m.put("copied", r.copied());
      m.put("kept", r.kept());
      m.put("removed", r.removed());
      m.put("tornTail", r.tornTail());
      out.println(Json.write(m));
      return;
    }
    List<String[]> p = new ArrayList<>();
    p.add(new String[] {"backup", r.target() + ": " + what});
    p.add(
        new String[] {
          "checkpoint",
          r.checkpointLsn() == 0 ? "none (log starts at LSN 1)" : "LSN " + r.checkpointLsn()
        });
    p.add(new String[] {"LSNs", r.firstLsn() + ".." + r.lastLsn()});
    p.add(
        new String[] {
          "files",
          r.linked()
              + " linked, "
              + r.copied()
              + " copied, "
              + r.kept()
              + " kept from an earlier backup, "
              + r.removed()
              + " removed"
        });
    p.add(new String[] {"torn tail", r.tornTail() == null ? "none" : r.tornTail()});
    Table.pairs(out, p);
  }
}
