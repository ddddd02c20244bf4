package dev.xatm.wal.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The file-system operations the log needs, and nothing more, so that tests can substitute a
 * fault-injecting implementation (power loss, EIO, ENOSPC, lost directory entries).
 *
 * <p>Durability contract, as on a POSIX file system: bytes written to a {@link StorageFile} are
 * durable only after {@link StorageFile#force}; a created, renamed or deleted directory entry is
 * durable only after {@link #syncDirectory} on its parent.
 *
 * <p>Threading: implementations must be safe for concurrent use by different threads on different
 * files.
 */
public interface Storage {

  /** Opens an existing file for reading and writing. */
  StorageFile open(Path file) throws IOException;

  /**
   * Creates a new, empty file for reading and writing; fails if it exists. On the real file system
   * the file is owner-only ({@code 0600}) whatever the umask.
   */
  StorageFile create(Path file) throws IOException;

  /** Opens an existing file for reading only. */
  StorageFile openReadOnly(Path file) throws IOException;

  /** The entries of a directory (files and subdirectories), in no particular order. */
  List<Path> list(Path directory) throws IOException;

  boolean exists(Path path) throws IOException;

  boolean isDirectory(Path path) throws IOException;

  /** Creates a directory and its missing parents (on the real file system: owner-only). */
  void createDirectories(Path directory) throws IOException;

  /**
   * The permissions of an existing directory when group or other users have any access to it; empty
   * when it is owner-only or the storage has no POSIX permissions (the default).
   */
  default Optional<Set<PosixFilePermission>> openToOthers(Path directory) throws IOException {
    return Optional.empty();
  }

  /** Deletes a file; fails if it does not exist. */
  void delete(Path file) throws IOException;

  /** Atomically renames a file, replacing the target. */
  void rename(Path source, Path target) throws IOException;

  /** Makes the creations, renames and deletions of entries in this directory durable. */
  void syncDirectory(Path directory) throws IOException;

  /**
   * Takes an exclusive lock on byte 0 of {@code file} (created if absent) and returns the file
   * holding it, or empty when another process or another holder in this JVM has it. The lock is
   * released when the returned file is closed.
   */
  Optional<StorageFile> tryLock(Path file) throws IOException;

  /**
   * True while {@code file} still names the file locked through {@code lock} (a result of {@link
   * #tryLock}); false once it was removed or replaced, when another process could lock a new file
   * under the same name.
   */
  boolean stillNamesLock(StorageFile lock, Path file) throws IOException;

  /**
   * Reads up to {@code max} bytes from offset 1 of a lock file held by someone else (the holder
   * description), without disturbing a lock this JVM holds on it. Empty when unreadable.
   */
  byte[] readLockHolder(Path file, int max) throws IOException;
}
