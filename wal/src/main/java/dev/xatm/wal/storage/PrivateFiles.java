package dev.xatm.wal.storage;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Owner-only permissions for everything xatm writes: directories {@code 0700}, files {@code 0600},
 * whatever the process umask. Log records carry user names, URLs and amounts, and only a CRC
 * protects them from a forged record, so no other user may read or write them.
 *
 * <p>Each file and directory is created with the permission attribute (so it is never more open
 * than owner-only, not even for an instant) and then set to exactly those permissions again,
 * because the umask masks the creation attribute and could strip owner bits. On a file system
 * without POSIX permissions (Windows, or a provider without the {@code posix} view) nothing is
 * done: access is then whatever the file system's own ACLs or mount options give.
 *
 * <p>Stateless; thread-safe.
 */
public final class PrivateFiles {

  private static final Logger LOG = System.getLogger("dev.xatm.wal");

  /** {@code rw-------}. */
  public static final Set<PosixFilePermission> FILE =
      Set.copyOf(PosixFilePermissions.fromString("rw-------"));

  /** {@code rwx------}. */
  public static final Set<PosixFilePermission> DIRECTORY =
      Set.copyOf(PosixFilePermissions.fromString("rwx------"));

  private static final Set<PosixFilePermission> GROUP_OR_OTHER =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private PrivateFiles() {}

  /**
   * {@return true when {@code path}'s file system has POSIX permissions}
   *
   * @param path any path on the file system to ask about
   */
  public static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The creation attribute for a private file, or none on a non-POSIX file system. */
  static FileAttribute<?>[] fileAttribute(Path path) {
    return posix(path)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
        : new FileAttribute<?>[0];
  }

  /** Creates an empty private file; fails if it exists. */
  static void createFile(Path file) throws IOException {
    Files.createFile(file, fileAttribute(file));
    restrict(file, FILE);
  }

  /**
   * Creates {@code directory} and its missing parents, each private. Existing directories are left
   * as they are (see {@link #tooOpen}).
   */
  static void createDirectories(Path directory) throws IOException {
    Path dir = directory.toAbsolutePath();
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir; p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.push(p);
    }
    boolean posix = posix(dir);
    while (!missing.isEmpty()) {
      Path p = missing.pop();
      try {
        if (posix) {
          Files.createDirectory(p, PosixFilePermissions.asFileAttribute(DIRECTORY));
          restrict(p, DIRECTORY);
        } else {
          Files.createDirectory(p);
        }
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(p)) {
          throw e;
        }
        // created by someone else meanwhile: theirs, left alone
      }
    }
  }

  /**
   * Sets a file or directory xatm owns to exactly {@code permissions} (the owner-only set). A file
   * system that accepts the creation attribute but refuses {@code chmod} (a FAT mount) keeps what
   * it gave; that is logged at DEBUG, and the start-up check of the directory reports it. Does
   * nothing on a file system without POSIX permissions.
   *
   * @param path an existing file or directory
   * @param permissions the permissions to set, normally {@link #FILE} or {@link #DIRECTORY}
   * @throws IOException an I/O error other than a refused {@code chmod}
   */
  public static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
    if (!posix(path)) {
      return;
    }
    try {
      Files.setPosixFilePermissions(path, permissions);
    } catch (UnsupportedOperationException | FileSystemException e) {
      LOG.log(
          Level.DEBUG,
          () -> "WAL: could not set " + PosixFilePermissions.toString(permissions) + " on " + path,
          e);
    }
  }

  /**
   * Tells whether group or other users have any access to {@code directory}.
   *
   * @param directory an existing directory
   * @return its permissions when group or other users have any access; empty when it is owner-only
   *     or the file system has no POSIX permissions
   * @throws IOException the permissions cannot be read
   */
  public static Optional<Set<PosixFilePermission>> tooOpen(Path directory) throws IOException {
    if (!posix(directory)) {
      return Optional.empty();
    }
    Set<PosixFilePermission> mode;
    try {
      mode = Files.getPosixFilePermissions(directory);
    } catch (UnsupportedOperationException e) {
      return Optional.empty();
    }
    for (PosixFilePermission p : mode) {
      if (GROUP_OR_OTHER.contains(p)) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }

  /**
   * {@return the mode as four octal digits, {@code 0755} for {@code rwxr-xr-x}}
   *
   * @param mode the permissions to render
   */
  public static String octal(Set<PosixFilePermission> mode) {
    int bits = 0;
    for (PosixFilePermission p : mode) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("0%03o", bits);
  }
}
