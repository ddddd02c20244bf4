package dev.xatm.cli;

import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells whether a live process holds a log directory, without disturbing it (wal/FORMAT.md, "Lock
 * file"): the lock is an OS lock on byte 0 of {@code wal.lock}, released by the OS when its holder
 * dies, so a lock that can be taken is stale whatever the file says; the holder's {@code pid=...
 * host=... node=... started=...} line after byte 0 only names it. The probe takes the lock through
 * the same {@link Storage} the log uses and releases it at once; the file's bytes and times stay as
 * they are. An opener that starts in that instant is refused as by any holder and may retry.
 *
 * <p>Threading: stateless.
 */
final class LockProbe {
  static final String LOCK_FILE = "wal.lock";
  private static final int INFO_SIZE = 512;
  private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S+)");

  /** What the probe found. */
  enum State {
    /** No {@code wal.lock}: the directory was never opened as a log (or it was removed). */
    NO_LOCK_FILE,
    /** The lock is free: the last holder (if the file names one) is no longer running. */
    FREE,
    /** A live process holds the lock. */
    HELD
  }

  /**
   * @param state what the OS lock says
   * @param holder the holder's description line, empty when the file holds none
   */
  record Status(State state, String holder) {
    /** The holder's fields ({@code pid}, {@code host}, {@code node}, {@code started}). */
    Map<String, String> fields() {
      Map<String, String> out = new LinkedHashMap<>();
      Matcher m = FIELD.matcher(holder);
      while (m.find()) {
        out.put(m.group(1), m.group(2));
      }
      return out;
    }
  }

  private LockProbe() {}

  static Status probe(Storage storage, Path directory) throws IOException {
    Path lock = directory.resolve(LOCK_FILE);
    if (!storage.exists(lock)) {
      return new Status(State.NO_LOCK_FILE, "");
    }
    Optional<StorageFile> taken;
    try {
      taken = storage.tryLock(lock);
    } catch (AccessDeniedException e) {
      // An operator with read access only: a shared lock on a read-only channel gives the same
      // answer (refused while the holder's exclusive lock stands).
      return probeReadOnly(lock);
    }
    if (taken.isEmpty()) {
      return new Status(State.HELD, holder(storage.readLockHolder(lock, INFO_SIZE)));
    }
    taken.get().close();
    return new Status(State.FREE, holder(storage.readLockHolder(lock, INFO_SIZE)));
  }

  private static Status probeReadOnly(Path lock) throws IOException {
    try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.READ)) {
      FileLock l;
      try {
        l = ch.tryLock(0, 1, true);
      } catch (OverlappingFileLockException e) {
        l = null; // held in this JVM
      }
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(INFO_SIZE);
      while (buf.hasRemaining() && ch.read(buf, 1 + buf.position()) > 0) {
        // keep reading
      }
      byte[] text = java.util.Arrays.copyOf(buf.array(), buf.position());
      if (l == null) {
        return new Status(State.HELD, holder(text));
      }
      l.release();
      return new Status(State.FREE, holder(text));
    }
  }

  /** The first line of the description, without the zero padding. */
  private static String holder(byte[] text) {
    String s = new String(text, StandardCharsets.UTF_8);
    int zero = s.indexOf('\0');
    s = zero >= 0 ? s.substring(0, zero) : s;
    int end = s.indexOf('\n');
    return (end >= 0 ? s.substring(0, end) : s).trim();
  }
}
