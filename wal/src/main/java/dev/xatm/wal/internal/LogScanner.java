package dev.xatm.wal.internal;

import dev.xatm.wal.WalCorruptException;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalSettingException;
import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The open-time scan (FORMAT.md, "Reading rules"): verifies headers, the index chain and the LSN
 * chain, reads every record, and decides between a torn tail (accepted) and damage (refused, or
 * reported under {@code openDamaged}). What proves that the newest segment is all there (trailing
 * files, the head file, the clean-close LSN) is {@link NewestSegmentCheck}'s.
 *
 * <p>Threading: used once, by the thread opening the log. Any I/O error aborts the scan.
 */
final class LogScanner {

  private static final Logger LOG = System.getLogger("dev.xatm.wal");

  /** Everything {@link SegmentedWal} needs to continue the log. */
  static final class Result {
    final List<SegmentState> segments = new ArrayList<>();
    final List<Path> discard = new ArrayList<>();
    final List<String> damage = new ArrayList<>();
    String nodeId;
    UUID logId;
    long nextLsn = 1;
    long nextIndex = 1;
    long firstLsn;
    long records;
    String tornTail;

    /** The head file as read (empty when absent or unreadable). */
    Optional<HeadFile.Head> head = Optional.empty();
  }

  private final Storage storage;
  private final Path directory;
  private final int maxRecordSize;
  private final boolean openDamaged;
  private final Result result = new Result();
  private long acceptedBelowIndex = Long.MIN_VALUE;

  /** How the parts of the scan report damage: refused, or recorded under openDamaged. */
  interface DamageSink {
    /** Damage in a segment (accepted when an operator accepted it earlier). */
    void damage(long index, Path file, long offset, String what) throws WalException;

    /** Damage that belongs to no earlier segment (the head file, the end of the log). */
    void damageAt(String msg) throws WalException;
  }

  private final DamageSink sink =
      new DamageSink() {
        @Override
        public void damage(long index, Path file, long offset, String what) throws WalException {
          LogScanner.this.damage(index, file, offset, what);
        }

        @Override
        public void damageAt(String msg) throws WalException {
          LogScanner.this.damageAt(msg);
        }
      };

  private LogScanner(Storage storage, Path directory, int maxRecordSize, boolean openDamaged) {
    this.storage = storage;
    this.directory = directory;
    this.maxRecordSize = maxRecordSize;
    this.openDamaged = openDamaged;
  }

  static Result scan(Storage storage, Path directory, int maxRecordSize, boolean openDamaged)
      throws IOException {
    return new LogScanner(storage, directory, maxRecordSize, openDamaged).run();
  }

  private Result run() throws IOException {
    TreeMap<Long, Path> files = listSegments();
    TreeMap<Long, SegmentHeader> headers = new TreeMap<>();
    TreeMap<Long, String> badHeaders = new TreeMap<>();
    readHeaders(files, headers, badHeaders);
    for (SegmentHeader h : headers.values()) {
      if (h.damageAccepted()) {
        acceptedBelowIndex = h.index();
      }
    }
    NewestSegmentCheck newest = new NewestSegmentCheck(storage, directory, sink, result.discard);
    Optional<HeadFile.Head> head = newest.readHead(headers);
    result.head = head;
    TreeMap<Long, Path> listed = new TreeMap<>(files);
    TreeMap<Long, Path> discarded = newest.discardUnused(files);
    if (newest.tornRotation() != null) {
      result.tornTail = newest.tornRotation();
    }
    newest.checkHead(head, files, headers, discarded);
    chooseIdentity(head, headers);
    long highest = files.isEmpty() ? 0 : files.lastKey();
    Long previous = null;
    for (var e : files.entrySet()) {
      long index = e.getKey();
      if (previous != null && index != previous + 1) {
        damage(
            previous + 1,
            e.getValue(),
            0,
            "gap in segment indices: expected " + (previous + 1) + ", actual " + index);
      }
      previous = index;
      if (badHeaders.containsKey(index)) {
        damage(index, e.getValue(), 0, badHeaders.get(index));
        continue;
      }
      SegmentHeader h = headers.get(index);
      if (!ours(e.getValue(), h)) {
        continue; // never read a segment of another log, in any mode
      }
      // A backup's head names the newest segment of the last finished run; a later run that did
      // not finish may have added segments with records above it.
      boolean afterHead = head.isPresent() && !head.get().copy() && index > head.get().index();
      if (afterHead) {
        checkHeaderOnly(e.getValue(), h, head.get());
      }
      scanSegment(e.getValue(), h, index == files.lastKey(), afterHead ? head.get().index() : -1);
    }
    newest.checkCleanEnd(
        head,
        result.nextLsn - 1,
        result.segments.isEmpty() ? null : result.segments.get(result.segments.size() - 1));
    long next = Math.max(highest, head.map(HeadFile.Head::index).orElse(0L)) + 1;
    // Never write over a file that stays on disk: a file reported as damaged (a zeroed newest
    // segment below a spare) is the evidence an operator needs, also under openDamaged.
    for (var e : listed.descendingMap().entrySet()) {
      if (!result.discard.contains(e.getValue())) {
        next = Math.max(next, e.getKey() + 1);
        break;
      }
    }
    result.nextIndex = Math.max(next, newest.minimumNextIndex());
    return result;
  }

  /**
   * A segment above the one the head file names was taken into use by an open or a rotation that
   * crashed (or failed) before the head named it: the writer writes no record before that, so its
   * body is all zeros. The one just above may also hold a torn tail of the record write that cannot
   * have happened (refused as records by the scan); anything further up must be blank.
   */
  private void checkHeaderOnly(Path file, SegmentHeader h, HeadFile.Head head) throws IOException {
    if (h.index() == head.index() + 1) {
      return; // records in it are refused by scanSegment, with the precise message
    }
    try (StorageFile f = storage.openReadOnly(file)) {
      long size = f.size();
      long nonZero =
          new SegmentReader(f, size, 1, true, SegmentHeader.SIZE).firstNonZero(SegmentHeader.SIZE);
      if (nonZero >= 0) {
        damageAt(
            HeadFile.path(directory)
                + " offset 0: names segment "
                + head.index()
                + " as the newest segment in use, but segment "
                + h.index()
                + " ("
                + file
                + ") offset "
                + nonZero
                + " holds data, and a segment above the one named that the head never named"
                + " can only hold its header (a crash between its header and the head update; "
                + HeadFile.NAME
                + " replaced by an older copy?)");
      }
    }
  }

  /** Segment files by index (every file named like one). */
  private TreeMap<Long, Path> listSegments() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    for (Path p : storage.list(directory)) {
      String name = p.getFileName().toString();
      if (name.equals(SegmentFiles.LOCK_FILE)
          || name.equals(HeadFile.NAME)
          || name.equals(HeadFile.NAME + ".tmp")
          || SegmentFiles.isForeignKnown(name)) {
        continue;
      }
      long index = SegmentFiles.indexOf(p);
      if (index < 0) {
        LOG.log(Level.WARNING, "WAL directory {0}: ignoring unexpected entry {1}", directory, name);
      } else if (storage.isDirectory(p)) {
        throw new WalCorruptException(
            "WAL directory "
                + directory
                + ": "
                + name
                + " is a directory but named like a segment; move it away");
      } else {
        files.put(index, p);
      }
    }
    return files;
  }

  private void readHeaders(
      TreeMap<Long, Path> files, TreeMap<Long, SegmentHeader> headers, TreeMap<Long, String> bad)
      throws IOException {
    for (var e : files.entrySet()) {
      try (StorageFile f = storage.openReadOnly(e.getValue())) {
        if (f.size() < SegmentHeader.SIZE) {
          bad.put(e.getKey(), "file is " + f.size() + " bytes, shorter than a segment header");
          continue;
        }
        ByteBuffer b = RecordCodec.heap(SegmentHeader.SIZE);
        readFully(f, b, 0);
        if (SegmentHeader.isBlank(b)) {
          bad.put(e.getKey(), "blank (all-zero) header of a segment that holds records");
          continue;
        }
        SegmentHeader h = SegmentHeader.decode(b);
        if (h.index() != e.getKey()) {
          bad.put(e.getKey(), "header index: expected " + e.getKey() + ", actual " + h.index());
        } else {
          headers.put(e.getKey(), h);
        }
      } catch (SegmentHeader.BadHeader x) {
        bad.put(e.getKey(), "bad header at offset " + x.offset + ": " + x.getMessage());
      }
    }
  }

  /**
   * Our log id is the head file's; without one (format 1, a restored copy), the first segment's.
   */
  private void chooseIdentity(Optional<HeadFile.Head> head, TreeMap<Long, SegmentHeader> headers) {
    result.logId = head.map(HeadFile.Head::logId).orElse(null);
    for (SegmentHeader h : headers.values()) {
      if (result.logId == null) {
        result.logId = h.logId();
      }
      if (h.logId().equals(result.logId)) {
        result.nodeId = h.nodeId();
        return;
      }
    }
  }

  /** False (after reporting it) for a segment of another log or node: it is never read. */
  private boolean ours(Path file, SegmentHeader h) throws WalException {
    if (!result.logId.equals(h.logId())) {
      damage(
          h.index(),
          file,
          40,
          "segment of another log: expected log id "
              + result.logId
              + ", actual "
              + h.logId()
              + "; it is never read");
      return false;
    }
    if (!result.nodeId.equals(h.nodeId())) {
      damage(
          h.index(),
          file,
          61,
          "foreign node id: expected '"
              + result.nodeId
              + "', actual '"
              + h.nodeId()
              + "'; it is never read");
      return false;
    }
    return true;
  }

  /**
   * @param namedByHead the index the head file names when this segment lies above it (it must then
   *     hold no record), else -1
   */
  private void scanSegment(Path file, SegmentHeader h, boolean last, long namedByHead)
      throws IOException {
    boolean afterHead = namedByHead >= 0;
    long index = h.index();
    if (!result.segments.isEmpty() && h.firstLsn() != result.nextLsn) {
      damage(
          index,
          file,
          24,
          "LSN chain broken: segment starts at LSN "
              + h.firstLsn()
              + " but the log before it ends at LSN "
              + (result.nextLsn - 1)
              + " (expected first LSN "
              + result.nextLsn
              + ")");
    }
    long expected = h.firstLsn();
    boolean damagedHere = false;
    boolean recorded = h.maxRecordSize() > 0;
    int limit = recorded ? h.maxRecordSize() : maxRecordSize;
    try (StorageFile f = storage.openReadOnly(file)) {
      long size = f.size();
      if (size < h.preallocatedSize()) {
        damagedHere = true;
        damage(
            index,
            file,
            size,
            "file is "
                + size
                + " bytes, but its header says it was preallocated at "
                + h.preallocatedSize()
                + " bytes: it was cut (a crash never shortens a preallocated segment)");
      }
      SegmentReader r = new SegmentReader(f, size, limit, recorded, SegmentHeader.SIZE);
      while (true) {
        SegmentReader.Outcome o = r.next(expected);
        if (o == SegmentReader.Outcome.RECORD) {
          if (afterHead) {
            afterHead = false;
            damageAt(
                HeadFile.path(directory)
                    + " offset 0: names segment "
                    + namedByHead
                    + " as the newest segment in use, but segment "
                    + index
                    + " ("
                    + file
                    + ") offset "
                    + r.recordOffset()
                    + " holds records, and the writer updates "
                    + HeadFile.NAME
                    + " before the first record of a new segment ("
                    + HeadFile.NAME
                    + " replaced by an older copy?)");
          }
          if (result.firstLsn == 0) {
            result.firstLsn = expected;
          }
          expected++;
          result.records++;
          continue;
        }
        long stop = r.recordOffset();
        if (r.settingTooSmall() > 0) {
          throw new WalSettingException(
              "WAL "
                  + directory
                  + ": segment "
                  + index
                  + " offset "
                  + stop
                  + " holds a valid record of "
                  + r.settingTooSmall()
                  + " bytes (LSN "
                  + expected
                  + "), longer than the configured maxRecordSize "
                  + maxRecordSize
                  + ": the log was written with a larger maxRecordSize (this format-1 segment"
                  + " does not record it). Configure maxRecordSize >= "
                  + r.settingTooSmall()
                  + " (for the TM: a larger xatm.log.segment-size, which bounds it to a"
                  + " quarter); nothing is damaged",
              r.settingTooSmall());
        }
        String reason;
        boolean damage;
        if (o == SegmentReader.Outcome.STALE) {
          reason =
              "stale record (a valid record with LSN "
                  + r.lsn()
                  + ", expected "
                  + expected
                  + "); segment files are never reused, so it is a copy of an earlier record";
          damage = true;
        } else if (o == SegmentReader.Outcome.END) {
          if (r.firstNonZero(stop) < 0) {
            break; // clean end: zeros to the end of the file
          }
          damage = r.damagedType(); // a record whose type byte became 0 is not the end
          reason = damage ? r.damage() : "end";
        } else {
          SegmentReader.Shape shape = r.shape();
          reason = r.damage();
          damage = shape.isDamage();
        }
        long searchFrom = o == SegmentReader.Outcome.END ? stop : r.searchStart();
        if (!damage) {
          long frame = r.findFrame(searchFrom, 1, expected);
          if (frame >= 0) {
            damage = true;
            reason +=
                "; yet a valid record with LSN "
                    + r.lsn()
                    + " follows at offset "
                    + frame
                    + " (expected LSN "
                    + expected
                    + ")";
          }
          r.seek(stop);
          r.next(expected); // reload the stop so resync starts from it
        }
        if (damage) {
          damagedHere = true;
          damage(index, file, stop, reason); // throws unless openDamaged
          long later = r.resync(expected);
          if (later < 0) {
            r.seek(stop);
            break;
          }
          expected = r.lsn() + 1; // openDamaged: resume after the hole
          if (result.firstLsn == 0) {
            result.firstLsn = r.lsn();
          }
          result.records++;
          continue;
        }
        long dropped = size - stop;
        if (last) {
          result.tornTail =
              "segment "
                  + index
                  + " offset "
                  + stop
                  + ": "
                  + reason
                  + "; up to "
                  + dropped
                  + " bytes after LSN "
                  + (expected - 1)
                  + " dropped";
          LOG.log(Level.INFO, "WAL: torn tail dropped: {0}", result.tornTail);
        } else {
          LOG.log(
              Level.DEBUG,
              "WAL: segment {0} ends with the torn tail of an earlier crash at offset {1}",
              index,
              stop);
        }
        r.seek(stop);
        break;
      }
      result.segments.add(
          new SegmentState(
              index,
              file,
              h.firstLsn(),
              expected - 1,
              r.position(),
              damagedHere || h.damageAccepted() || index < acceptedBelowIndex,
              h.maxRecordSize()));
    }
    result.nextLsn = Math.max(result.nextLsn, expected);
  }

  private void damage(long index, Path file, long offset, String what) throws WalException {
    String msg = "segment " + index + " (" + file + ") offset " + offset + ": " + what;
    if (index < acceptedBelowIndex) {
      LOG.log(Level.WARNING, "WAL: damage accepted earlier by an operator: {0}", msg);
      result.damage.add("(accepted earlier) " + msg);
    } else {
      damageAt(msg);
    }
  }

  /** Damage that belongs to no earlier segment (the head file, the end of the log). */
  private void damageAt(String msg) throws WalException {
    if (openDamaged) {
      LOG.log(Level.ERROR, "WAL opened despite damage (openDamaged): {0}", msg);
      result.damage.add(msg);
    } else {
      throw new WalCorruptException("WAL corrupt: " + msg);
    }
  }

  static void readFully(StorageFile f, ByteBuffer dst, long offset) throws IOException {
    long pos = offset;
    while (dst.hasRemaining()) {
      int r = f.read(dst, pos);
      if (r < 0) {
        throw new IOException("unexpected end of file at offset " + pos);
      }
      pos += r;
    }
  }
}
