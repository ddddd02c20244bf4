package dev.xatm.cli;

import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalCorruptException;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalNodeIdMismatchException;
import dev.xatm.wal.WalVerification;
import dev.xatm.wal.storage.FileSystemStorage;
import dev.xatm.wal.storage.Storage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stopped node's log directory, opened for inspection only: every read goes through the wal's
 * read-only entry points ({@link Wal#verify}, {@link Wal#readOnly}), which take no lock and write
 * nothing. {@link #requireStopped()} refuses a directory a live process holds, because its active
 * segment grows under the reader and the process may delete segments being read.
 *
 * <p>Threading: one command at a time.
 */
final class OfflineLog {
  private final Path directory;
  private final int maxRecordSize;
  private final String nodeId;
  private final Storage storage = FileSystemStorage.INSTANCE;

  OfflineLog(Path directory, int maxRecordSize, String nodeId) {
    this.directory = directory;
    this.maxRecordSize = maxRecordSize;
    this.nodeId = nodeId;
  }

  Path directory() {
    return directory;
  }

  Storage storage() {
    return storage;
  }

  int maxRecordSize() {
    return maxRecordSize;
  }

  /** The scan's settings; the segment size only has to admit {@code maxRecordSize}. */
  WalConfig config(boolean acceptDamage) throws CliException {
    try {
      return WalConfig.builder(directory)
          .nodeId(nodeId)
          .maxRecordSize(maxRecordSize)
          .segmentSize(Math.max(WalConfig.DEFAULT_SEGMENT_SIZE, 4L * maxRecordSize))
          .openDamaged(acceptDamage)
          .build();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage(), e);
    }
  }

  /** Fails unless the path is an existing directory. */
  void requireDirectory() throws CliException {
    if (!Files.isDirectory(directory)) {
      throw new CliException(
          ExitCodes.USAGE,
          directory
              + (Files.exists(directory) ? " is not a directory" : " does not exist")
              + "; give the log directory (xatm.log.dir) of a stopped node");
    }
  }

  /** The lock status; fails with {@link ExitCodes#LOCKED} when a live process holds it. */
  LockProbe.Status requireStopped() throws CliException {
    requireDirectory();
    LockProbe.Status s;
    try {
      s = LockProbe.probe(storage, directory);
    } catch (IOException e) {
      throw new CliException(
          ExitCodes.IO_ERROR, "cannot probe the lock of " + directory + ": " + e, e);
    }
    if (s.state() == LockProbe.State.HELD) {
      throw new LockedException(
          "the log in "
              + directory
              + " is in use by a live process ("
              + (s.holder().isEmpty() ? "holder unknown" : s.holder())
              + "). The offline commands read a stopped node's log only: stop that process"
              + " first, or act through the running transaction manager (the online mode:"
              + " xatm indoubt|heuristic|foreign list, indoubt commit|rollback, heuristic clear,"
              + " recovery run-pass with --pid "
              + s.fields().getOrDefault("pid", "PID")
              + " on its host, or --jmx URL; docs/operations.md)",
          s.fields());
    }
    return s;
  }

  /** The strict and the damage-accepting scan of the directory. */
  record Verification(WalVerification scan, String strictFailure) {
    boolean damaged() {
      return strictFailure != null;
    }
  }

  /**
   * Scans twice, read-only: strictly (what a start would do: refuse on damage beyond a torn tail),
   * then accepting damage, which lists every damaged place instead of only the first.
   */
  Verification verify() throws CliException {
    String strictFailure = null;
    try {
      Wal.verify(config(false));
    } catch (WalCorruptException | WalNodeIdMismatchException e) {
      strictFailure = e.getMessage();
    } catch (WalException e) {
      throw io(e);
    }
    try {
      return new Verification(Wal.verify(config(true)), strictFailure);
    } catch (WalCorruptException | WalNodeIdMismatchException e) {
      // Damage the scan cannot go past even when accepting damage (a directory named like a
      // segment, another node's log): the strict message is all there is.
      return new Verification(
          new WalVerification(null, java.util.List.of(), 0, 0, null, java.util.List.of()),
          e.getMessage());
    } catch (WalException e) {
      throw io(e);
    }
  }

  /** A cursor over the records from {@code fromLsn}, across accepted damage when asked. */
  WalCursor read(long fromLsn, boolean acceptDamage) throws CliException {
    try {
      return Wal.readOnly(config(acceptDamage), fromLsn);
    } catch (WalCorruptException | WalNodeIdMismatchException e) {
      throw new CliException(ExitCodes.DAMAGED, e.getMessage(), e);
    } catch (WalException e) {
      throw io(e);
    }
  }

  CliException io(Exception e) {
    return new CliException(
        ExitCodes.IO_ERROR, "reading the log in " + directory + " failed: " + e.getMessage(), e);
  }
}
