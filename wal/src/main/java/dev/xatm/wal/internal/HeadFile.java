package dev.xatm.wal.internal;

import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The head file {@code wal.head} (FORMAT.md, "Head file"): names the newest segment the writer took
 * into use, so that an open can tell a log whose newest segment was deleted, renamed away, zeroed
 * or cut from a log that simply ended there, and whether the last session closed cleanly (and at
 * which LSN).
 *
 * <p>Two 512-byte slots, each with a sequence number and a CRC; an update overwrites the older slot
 * and forces it, so a torn update leaves the other slot, one step older, readable. The file is
 * created at full size through a temporary file and a rename, and never changes size afterwards
 * ({@code force(false)} suffices).
 *
 * <p>Threading: the opening thread creates it; afterwards only the writer thread (rotation) and the
 * closing thread (after the writer ended) update it, never concurrently.
 */
final class HeadFile implements AutoCloseable {

  static final String NAME = "wal.head";
  static final int SLOT = 512;
  static final int FILE_SIZE = 2 * SLOT;
  private static final byte[] MAGIC = "XATMHEAD".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int CRC_OFFSET = 64;

  /**
   * One decoded slot.
   *
   * @param sequence increases by one per update
   * @param logId the log this head belongs to
   * @param index the newest segment taken into use (0: none yet)
   * @param firstLsn the first LSN of that segment
   * @param cleanEndLsn the last LSN when the log was closed cleanly, or -1 while it is open (or
   *     after a crash)
   */
  record Head(long sequence, UUID logId, long index, long firstLsn, long cleanEndLsn) {}

  /** The head file exists but neither slot is valid; the message says why. */
  static final class BadHead extends Exception {
    private static final long serialVersionUID = 1L;

    BadHead(String message) {
      super(message);
    }
  }

  private final StorageFile file;
  private final boolean fsync;
  private Head current;

  private HeadFile(StorageFile file, boolean fsync, Head current) {
    this.file = file;
    this.fsync = fsync;
    this.current = current;
  }

  static Path path(Path directory) {
    return directory.resolve(NAME);
  }

  /** Reads the newest valid slot; empty when the file does not exist. */
  static Optional<Head> read(Storage storage, Path directory) throws IOException, BadHead {
    Path p = path(directory);
    if (!storage.exists(p)) {
      return Optional.empty();
    }
    try (StorageFile f = storage.openReadOnly(p)) {
      long size = f.size();
      if (size != FILE_SIZE) {
        throw new BadHead("file is " + size + " bytes, expected " + FILE_SIZE);
      }
      ByteBuffer b = RecordCodec.heap(FILE_SIZE);
      LogScanner.readFully(f, b, 0);
      Head a = decode(b, 0);
      Head c = decode(b, SLOT);
      if (a == null && c == null) {
        throw new BadHead("neither slot holds a valid head (bad magic, version or CRC)");
      }
      if (a == null) {
        return Optional.of(c);
      }
      if (c == null) {
        return Optional.of(a);
      }
      return Optional.of(a.sequence() >= c.sequence() ? a : c);
    }
  }

  /**
   * Opens the existing head file for updates when the scan read a valid one ({@code existing});
   * otherwise (absent, or unreadable and accepted under openDamaged) creates it naming {@code
   * initial}, through a temporary file and a rename, directory fsynced.
   */
  static HeadFile openOrCreate(
      Storage storage, Path directory, Optional<Head> existing, Head initial, boolean fsync)
      throws IOException {
    Path p = path(directory);
    if (existing.isPresent() && storage.exists(p)) {
      return new HeadFile(storage.open(p), fsync, existing.get());
    }
    Path tmp = directory.resolve(NAME + ".tmp");
    if (storage.exists(tmp)) {
      storage.delete(tmp);
    }
    try (StorageFile f = storage.create(tmp)) {
      ByteBuffer b = RecordCodec.heap(FILE_SIZE);
      b.put(encode(initial));
      b.position(SLOT);
      b.put(encode(initial));
      b.position(0).limit(FILE_SIZE);
      f.write(new ByteBuffer[] {b}, 0);
      f.force(true);
    }
    storage.rename(tmp, p);
    storage.syncDirectory(directory);
    return new HeadFile(storage.open(p), fsync, initial);
  }

  Head current() {
    return current;
  }

  /**
   * Names {@code index} (first LSN {@code firstLsn}) as the newest segment, with the clean-close
   * LSN or -1; overwrites the older slot and forces it (when the log runs with fsync).
   */
  void update(long index, long firstLsn, long cleanEndLsn) throws IOException {
    Head next = new Head(current.sequence() + 1, current.logId(), index, firstLsn, cleanEndLsn);
    ByteBuffer b = encode(next);
    file.write(new ByteBuffer[] {b}, (next.sequence() % 2) * SLOT);
    if (fsync) {
      file.force(false);
    }
    current = next;
  }

  static ByteBuffer encode(Head h) {
    ByteBuffer b = RecordCodec.heap(SLOT);
    b.put(MAGIC);
    b.putShort((short) VERSION);
    b.putShort((short) 0);
    b.putInt(0);
    b.putLong(h.sequence());
    b.putLong(h.logId().getMostSignificantBits());
    b.putLong(h.logId().getLeastSignificantBits());
    b.putLong(h.index());
    b.putLong(h.firstLsn());
    b.putLong(h.cleanEndLsn());
    b.putInt(CRC_OFFSET, crc(b, 0));
    b.position(0).limit(SLOT);
    return b;
  }

  private static Head decode(ByteBuffer b, int at) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (b.get(at + i) != MAGIC[i]) {
        return null;
      }
    }
    if (Short.toUnsignedInt(b.getShort(at + 8)) != VERSION
        || b.getInt(at + CRC_OFFSET) != crc(b, at)) {
      return null;
    }
    return new Head(
        b.getLong(at + 16),
        new UUID(b.getLong(at + 24), b.getLong(at + 32)),
        b.getLong(at + 40),
        b.getLong(at + 48),
        b.getLong(at + 56));
  }

  private static int crc(ByteBuffer b, int at) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = b.duplicate();
    view.position(at).limit(at + CRC_OFFSET);
    crc.update(view);
    return (int) crc.getValue();
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
