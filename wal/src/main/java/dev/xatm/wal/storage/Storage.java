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

  /**
   * Opens an existing file for reading and writing.
   *
   * @param file the file to open
   * @return the open file; the caller closes it
   * @throws IOException the file does not exist or cannot be opened
   */
  StorageFile open(Path file) throws IOException;

  /**
   * Creates a new, empty file for reading and writing; fails if it exists. On the real file system
   * the file is owner-only ({@code 0600}) whatever the umask.
   *
   * @param file the file to create
   * @return the open file; the caller closes it
   * @throws IOException the file exists ({@link java.nio.file.FileAlreadyExistsException}) or
   *     cannot be created
   */
  StorageFile create(Path file) throws IOException;

  /**
   * Opens an existing file for reading only.
   *
   * @param file the file to open
   * @return the open file; the caller closes it
   * @throws IOException the file does not exist or cannot be opened
   */
  StorageFile openReadOnly(Path file) throws IOException;

  /**
   * {@return the entries of a directory (files and subdirectories), in no particular order}
   *
   * @param directory the directory to list
   * @throws IOException the directory does not exist or cannot be read
   */
  List<Path> list(Path directory) throws IOException;

  /**
   * {@return whether {@code path} names an existing file or directory}
   *
   * @param path the path to test
   * @throws IOException the storage cannot tell (a fault-injecting storage may fail here)
   */
  boolean exists(Path path) throws IOException;

  /**
   * {@return whether {@code path} names an existing directory}
   *
   * @param path the path to test
   * @throws IOException the storage cannot tell
   */
  boolean isDirectory(Path path) throws IOException;

  /**
   * Creates a directory and its missing parents (on the real file system: owner-only). Does nothing
   * when the directory exists.
   *
   * @param directory the directory to create
   * @throws IOException a directory cannot be created, or a file is in the way
   */
  void createDirectories(Path directory) throws IOException;

  /**
   * The permissions of an existing directory when group or other users have any access to it; empty
   * when it is owner-only or the storage has no POSIX permissions (the default).
   *
   * @param directory an existing directory
   * @return the directory's permissions, or empty when nobody but the owner has access
   * @throws IOException the permissions cannot be read
   */
  default Optional<Set<PosixFilePermission>> openToOthers(Path directory) throws IOException {
    return Optional.empty();
  }

  /**
   * Deletes a file. The deletion is durable only after {@link #syncDirectory} on its parent.
   *
   * @param file the file to delete
   * @throws IOException the file does not exist or cannot be deleted
   */
  void delete(Path file) throws IOException;

  /**
   * Atomically renames a file, replacing the target. The rename is durable only after {@link
   * #syncDirectory} on the parent.
   *
   * @param source the file to rename
   * @param target its new name, in the same directory
   * @throws IOException the rename failed; the source is then unchanged
   */
  void rename(Path source, Path target) throws IOException;

  /**
   * Makes the creations, renames and deletions of entries in this directory durable.
   *
   * @param directory the directory whose entries changed
   * @throws IOException the directory cannot be opened or forced
   */
  void syncDirectory(Path directory) throws IOException;

  /**
   * Takes an exclusive lock on byte 0 of {@code file} (created if absent) and returns the file
   * holding it, or empty when another process or another holder in this JVM has it. The lock is
   * released when the returned file is closed.
   *
   * @param file the lock file
   * @return the file holding the lock, or empty when it is held elsewhere
   * @throws IOException the lock file cannot be created or opened
   */
  Optional<StorageFile> tryLock(Path file) throws IOException;

  /**
   * True while {@code file} still names the file locked through {@code lock} (a result of {@link
   * #tryLock}); false once it was removed or replaced, when another process could lock a new file
   * under the same name.
   *
   * @param lock a file returned by {@link #tryLock}, still open
   * @param file the name it was locked through
   * @return whether {@code file} is still the locked file
   * @throws IOException the file's identity cannot be read
   */
  boolean stillNamesLock(StorageFile lock, Path file) throws IOException;

  /**
   * Reads up to {@code max} bytes from offset 1 of a lock file held by someone else (the holder
   * description), without disturbing a lock this JVM holds on it.
   *
   * @param file the lock file
   * @param max the most bytes to read
   * @return the bytes read; empty when there is nothing to read yet
   * @throws IOException the file cannot be opened or read
   */
  byte[] readLockHolder(Path file, int max) throws IOException;
}
