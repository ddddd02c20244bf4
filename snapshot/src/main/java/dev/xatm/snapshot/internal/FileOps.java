package dev.xatm.snapshot.internal;

import dev.xatm.snapshot.SnapshotException;
import dev.xatm.wal.storage.FileSystemStorage;
import dev.xatm.wal.storage.PrivateFiles;
import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The durable file operations of this module on the WAL's {@link Storage} seam, so crash tests see
 * every write, force, rename and directory fsync. Stateless; thread-safe.
 */
public final class FileOps {
  private static final int CHUNK = 1 << 20;

  private FileOps() {}

  /** Reads a whole file, refusing one larger than {@code max} before allocating. */
  public static byte[] readAll(Storage storage, Path file, long max) throws IOException {
    try (StorageFile f = storage.openReadOnly(file)) {
      long size = f.size();
      if (size > max) {
        throw new SnapshotException(file + ": " + size + " bytes exceeds the limit " + max);
      }
      byte[] out = new byte[(int) size];
      ByteBuffer dst = ByteBuffer.wrap(out);
      while (dst.hasRemaining()) {
        if (f.read(dst, dst.position()) < 0) {
          break; // the file shrank; the caller's checks see a short image
        }
      }
      return dst.position() == out.length ? out : java.util.Arrays.copyOf(out, dst.position());
    }
  }

  public static long size(Storage storage, Path file) throws IOException {
    try (StorageFile f = storage.openReadOnly(file)) {
      return f.size();
    }
  }

  /**
   * Writes {@code bytes} as {@code target} atomically: a temp file next to it, force, rename,
   * directory fsync. A crash leaves either no target or the complete one (plus maybe the temp).
   */
  public static void writeAtomically(Storage storage, Path target, Path temp, byte[] bytes)
      throws IOException {
    if (storage.exists(temp)) {
      storage.delete(temp);
    }
    try (StorageFile f = storage.create(temp)) {
      f.write(new ByteBuffer[] {ByteBuffer.wrap(bytes)}, 0);
      f.force(true);
    }
    storage.rename(temp, target);
    storage.syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Copies {@code source} to {@code target} through {@code temp}: chunked copy, force, rename. The
   * caller fsyncs the target directory (once for several files).
   */
  public static void copy(Storage storage, Path source, Path target, Path temp) throws IOException {
    if (storage.exists(temp)) {
      storage.delete(temp);
    }
    try (StorageFile in = storage.openReadOnly(source);
        StorageFile out = storage.create(temp)) {
      long size = in.size();
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(size, 1)));
      long pos = 0;
      while (pos < size) {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), size - pos));
        int n = in.read(buf, pos);
        if (n < 0) {
          break;
        }
        buf.flip();
        out.write(new ByteBuffer[] {buf}, pos);
        pos += n;
      }
      out.force(true);
    }
    storage.rename(temp, target);
  }

  /**
   * Hard-links {@code target} to {@code source} when the storage is the real file system and both
   * are on one file system; copies otherwise (across file systems, or on a test storage). Returns
   * true when it linked. The caller fsyncs the target directory.
   */
  public static boolean linkOrCopy(Storage storage, Path source, Path target, Path temp)
      throws IOException {
    if (storage instanceof FileSystemStorage) {
      try {
        Files.deleteIfExists(temp);
        Files.createLink(temp, source);
        // A link shares the source's inode and mode: make both owner-only (a segment written by
        // an older version may still be 0644).
        PrivateFiles.restrict(temp, PrivateFiles.FILE);
        storage.rename(temp, target);
        return true;
      } catch (UnsupportedOperationException | FileSystemException e) {
        // EXDEV (another file system) or no link support: copy instead.
        Files.deleteIfExists(temp);
      }
    }
    copy(storage, source, target, temp);
    return false;
  }
}
