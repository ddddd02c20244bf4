package dev.xatm.wal.internal;

import dev.xatm.wal.WalCorruptException;
import dev.xatm.wal.WalException;
import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The open-time scan (FORMAT.md, "Reading rules"): classifies every file in the directory, verifies
 * headers, the index chain and the LSN chain, reads every record, and decides between a torn tail
 * (accepted) and damage (refused, or reported under {@code openDamaged}).
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
  }

  private final Storage storage;
  private final Path directory;
  private final int maxRecordSize;
  private final boolean openDamaged;
  private final Result result = new Result();
  private long acceptedBelowIndex = Long.MIN_VALUE;

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
    Long previous = null;
    for (var e : files.entrySet()) {
      long index = e.getKey();
      if (previous != null && index != previous + 1) {
        damage(
            index,
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
      checkIdentity(e.getValue(), h);
      scanSegment(e.getValue(), h, index == files.lastKey());
    }
    if (!files.isEmpty()) {
      result.nextIndex = files.lastKey() + 1;
    }
    return result;
  }

  /** Segment files by index; trailing never-used spares and torn rotations go to discard. */
  private TreeMap<Long, Path> listSegments() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    for (Path p : storage.list(directory)) {
      String name = p.getFileName().toString();
      if (name.equals(SegmentFiles.LOCK_FILE) || SegmentFiles.isForeignKnown(name)) {
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
    while (!files.isEmpty()) {
      var last = files.lastEntry();
      String why = unusedReason(last.getValue());
      if (why == null) {
        break;
      }
      LOG.log(Level.INFO, "WAL: discarding {0}: {1}", last.getValue(), why);
      if (why.startsWith("torn")) {
        result.tornTail = "segment " + last.getKey() + ": " + why;
      }
      result.discard.add(last.getValue());
      files.remove(last.getKey());
    }
    return files;
  }

  /**
   * Why a trailing file is not log (a spare never used, a partial preallocation, a rotation whose
   * header never became durable), or null when it must be read as a segment.
   */
  private String unusedReason(Path file) throws IOException {
    try (StorageFile f = storage.openReadOnly(file)) {
      long size = f.size();
      if (size < SegmentHeader.SIZE) {
        return "partial preallocation (" + size + " bytes)";
      }
      ByteBuffer header = RecordCodec.heap(SegmentHeader.SIZE);
      readFully(f, header, 0);
      SegmentReader body = new SegmentReader(f, size, maxRecordSize, SegmentHeader.SIZE);
      if (body.firstNonZero(SegmentHeader.SIZE) >= 0) {
        return null;
      }
      if (SegmentHeader.isBlank(header)) {
        return "unused preallocated segment";
      }
      try {
        SegmentHeader.decode(header);
        return null; // a valid, empty segment
      } catch (SegmentHeader.BadHeader e) {
        return "torn header of a segment that never held a record (" + e.getMessage() + ")";
      }
    }
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

  private void checkIdentity(Path file, SegmentHeader h) throws WalException {
    if (result.nodeId == null) {
      result.nodeId = h.nodeId();
      result.logId = h.logId();
      return;
    }
    if (!result.nodeId.equals(h.nodeId())) {
      damage(
          h.index(),
          file,
          61,
          "foreign node id: expected '" + result.nodeId + "', actual '" + h.nodeId() + "'");
    }
    if (!result.logId.equals(h.logId())) {
      damage(
          h.index(),
          file,
          40,
          "segment of another log: expected log id " + result.logId + ", actual " + h.logId());
    }
  }

  private void scanSegment(Path file, SegmentHeader h, boolean last) throws IOException {
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
    try (StorageFile f = storage.openReadOnly(file)) {
      long size = f.size();
      SegmentReader r = new SegmentReader(f, size, maxRecordSize, SegmentHeader.SIZE);
      while (true) {
        SegmentReader.Outcome o = r.next(expected);
        if (o == SegmentReader.Outcome.RECORD) {
          if (result.firstLsn == 0) {
            result.firstLsn = expected;
          }
          expected++;
          result.records++;
          continue;
        }
        long stop = r.recordOffset();
        String reason =
            o == SegmentReader.Outcome.DAMAGED
                ? r.damage()
                : o == SegmentReader.Outcome.STALE ? "stale record (LSN " + r.lsn() + ")" : "end";
        if (r.firstNonZero(stop) < 0) {
          break; // clean end: zeros to the end of the file
        }
        long later = r.findLaterRecord(stop, expected);
        if (later >= 0) {
          damagedHere = true;
          damage(
              index,
              file,
              stop,
              reason
                  + "; yet a valid record with LSN "
                  + r.lsn()
                  + " follows at offset "
                  + later
                  + " (expected LSN "
                  + expected
                  + ")");
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
              "WAL: segment {0} ends with the torn tail of an earlier crash at " + "offset {1}",
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
              damagedHere || h.damageAccepted() || index < acceptedBelowIndex));
    }
    result.nextLsn = Math.max(result.nextLsn, expected);
  }

  private void damage(long index, Path file, long offset, String what) throws WalException {
    String msg = "segment " + index + " (" + file + ") offset " + offset + ": " + what;
    if (index < acceptedBelowIndex) {
      LOG.log(Level.WARNING, "WAL: damage accepted earlier by an operator: {0}", msg);
      result.damage.add("(accepted earlier) " + msg);
    } else if (openDamaged) {
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
