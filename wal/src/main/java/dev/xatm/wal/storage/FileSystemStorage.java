package dev.xatm.wal.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Storage} on the real file system through {@link FileChannel}.
 *
 * <p>Lock files: a POSIX record lock belongs to the process, and closing <em>any</em> channel on
 * the file in this JVM releases it. So this class remembers the lock files it holds ({@link #held})
 * and never opens a second channel on them: a second {@link #tryLock} in the same JVM fails without
 * touching the file, and {@link #readLockHolder} reads through the holder's channel. The registry
 * is keyed by the file itself (its file key, device and inode; else its real path), not by the name
 * it was reached through: a symlinked or differently spelled directory is the same lock file, and
 * opening then closing a second channel on it would release the holder's lock. This registry is the
 * one piece of JVM-wide state, mirroring a JVM-wide OS resource.
 *
 * <p>Everything this class creates (files, the lock file, directories) is owner-only, see {@link
 * PrivateFiles}.
 */
public final class FileSystemStorage implements Storage {

  /** The one instance: the lock registry must be JVM-wide, like the locks it mirrors. */
  public static final FileSystemStorage INSTANCE = new FileSystemStorage();

  private final ConcurrentHashMap<Object, LockedFile> held = new ConcurrentHashMap<>();

  private FileSystemStorage() {}

  @Override
  public StorageFile open(Path file) throws IOException {
    return new ChannelFile(
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE));
  }

  @Override
  public StorageFile create(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(
            file,
            Set.of(
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW),
            PrivateFiles.fileAttribute(file));
    try {
      PrivateFiles.restrict(file, PrivateFiles.FILE);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return new ChannelFile(channel);
  }

  @Override
  public StorageFile openReadOnly(Path file) throws IOException {
    return new ChannelFile(FileChannel.open(file, StandardOpenOption.READ));
  }

  @Override
  public List<Path> list(Path directory) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      for (Path p : entries) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  @Override
  public boolean isDirectory(Path path) {
    return Files.isDirectory(path);
  }

  @Override
  public void createDirectories(Path directory) throws IOException {
    PrivateFiles.createDirectories(directory);
  }

  @Override
  public Optional<Set<PosixFilePermission>> openToOthers(Path directory) throws IOException {
    return PrivateFiles.tooOpen(directory);
  }

  @Override
  public void delete(Path file) throws IOException {
    Files.delete(file);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void syncDirectory(Path directory) throws IOException {
    // Linux: fsync on a directory opened read-only makes its entries durable.
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  @Override
  public Optional<StorageFile> tryLock(Path file) throws IOException {
    try {
      // O_CREAT|O_EXCL: on an existing file no descriptor is opened (and none closed).
      PrivateFiles.createFile(file);
    } catch (FileAlreadyExistsException e) {
      // the usual case
    }
    Object key = fileKey(file);
    LockedFile placeholder = new LockedFile(key, null, null);
    if (held.putIfAbsent(key, placeholder) != null) {
      return Optional.empty();
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock(0, 1, false);
      } catch (OverlappingFileLockException e) {
        lock = null; // held through a channel this class did not open; same answer
      }
      if (lock == null) {
        channel.close();
        held.remove(key, placeholder);
        return Optional.empty();
      }
      LockedFile locked = new LockedFile(key, channel, lock);
      held.replace(key, placeholder, locked);
      return Optional.of(locked);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      held.remove(key, placeholder);
      throw e;
    }
  }

  @Override
  public boolean stillNamesLock(StorageFile lock, Path file) throws IOException {
    if (!(lock instanceof LockedFile l) || !Files.exists(file)) {
      return false;
    }
    return fileKey(file).equals(l.key);
  }

  @Override
  public byte[] readLockHolder(Path file, int max) throws IOException {
    Object key = fileKey(file);
    ByteBuffer buf = ByteBuffer.allocate(max);
    LockedFile ours = held.get(key);
    if (ours != null) {
      if (ours.channel == null) {
        return new byte[0]; // being locked right now by another instance in this JVM
      }
      ours.read(buf, 1);
    } else {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        while (buf.hasRemaining() && ch.read(buf, 1 + buf.position()) > 0) {
          // keep reading
        }
      }
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }

  /** The identity of a file whatever name reaches it: its file key, else its real path. */
  private static Object fileKey(Path file) throws IOException {
    Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    return key != null ? key : file.toRealPath();
  }

  private static class ChannelFile implements StorageFile {
    final FileChannel channel;

    ChannelFile(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return channel.read(dst, position);
    }

    @Override
    public void write(ByteBuffer[] srcs, long position) throws IOException {
      if (srcs.length == 1) {
        ByteBuffer src = srcs[0];
        long pos = position;
        while (src.hasRemaining()) {
          pos += channel.write(src, pos);
        }
        return;
      }
      // Single writer per file: the channel position is ours to move.
      channel.position(position);
      long remaining = 0;
      for (ByteBuffer b : srcs) {
        remaining += b.remaining();
      }
      while (remaining > 0) {
        remaining -= channel.write(srcs);
      }
    }

    @Override
    public void force(boolean metadata) throws IOException {
      channel.force(metadata);
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  private final class LockedFile extends ChannelFile {
    private final Object key;
    private final FileLock lock;

    LockedFile(Object key, FileChannel channel, FileLock lock) {
      super(channel);
      this.key = key;
      this.lock = lock;
    }

    @Override
    public void close() throws IOException {
      try {
        if (lock != null && lock.isValid()) {
          lock.release();
        }
        super.close();
      } finally {
        held.remove(key, this);
      }
    }
  }
}
