package dev.xatm.wal.internal;

import dev.xatm.wal.WalException;
import dev.xatm.wal.storage.Storage;
import dev.xatm.wal.storage.StorageFile;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The evidence that the newest segment of a log is all there (FORMAT.md, "Head file" and "Reading
 * rules", trailing files): which trailing file may be discarded as not log, what a spare proves
 * about the segment below it, what the head file names, and the clean-close LSN. Without these
 * checks a deleted, renamed, zeroed or cut newest segment reads as a shorter log.
 *
 * <p>Threading: used once, by the thread scanning the log.
 */
final class NewestSegmentCheck {

  private static final Logger LOG = System.getLogger("dev.xatm.wal");

  private final Storage storage;
  private final Path directory;
  private final LogScanner.DamageSink sink;
  private final List<Path> discard;
  private String tornRotation;
  private long minimumNextIndex = 1;

  /**
   * @param discard where files to delete at open are added (and evidence removed again)
   */
  NewestSegmentCheck(
      Storage storage, Path directory, LogScanner.DamageSink sink, List<Path> discard) {
    this.storage = storage;
    this.directory = directory;
    this.sink = sink;
    this.discard = discard;
  }

  /** The description of a discarded rotation whose header never became durable, or null. */
  String tornRotation() {
    return tornRotation;
  }

  /** Raised when a spare proves that a segment below it was in use (damaged mode only). */
  long minimumNextIndex() {
    return minimumNextIndex;
  }

  /**
   * Removes the last file from {@code files} when it is not log (a spare, a partial preallocation,
   * a rotation whose header never became durable) and queues it for deletion. Only one such file
   * can exist: a spare is prepared only after the segment before it was taken into use, so an
   * unused file below it, or a missing segment below it, is evidence of damage.
   */
  TreeMap<Long, Path> discardUnused(TreeMap<Long, Path> files) throws IOException {
    TreeMap<Long, Path> discarded = new TreeMap<>();
    if (files.isEmpty()) {
      return discarded;
    }
    var last = files.lastEntry();
    String why = unusedReason(last.getValue());
    if (why == null) {
      return discarded;
    }
    long k = last.getKey();
    LOG.log(Level.INFO, "WAL: discarding {0}: {1}", last.getValue(), why);
    if (why.startsWith("torn")) {
      tornRotation = "segment " + k + ": " + why;
    }
    files.remove(k);
    discarded.put(k, last.getValue());
    if (files.isEmpty() ? k > 1 : files.lastKey() != k - 1) {
      sink.damage(
          k - 1,
          SegmentFiles.path(directory, k - 1),
          0,
          "segment "
              + (k - 1)
              + " is missing, yet segment file "
              + k
              + " ("
              + why
              + ") exists, and the writer prepares a segment file only once the one before it is"
              + " in use (deleted or renamed away?)");
      minimumNextIndex = k;
    } else {
      var below = files.lastEntry();
      String belowWhy = unusedReason(below.getValue());
      if (belowWhy != null) {
        sink.damage(
            below.getKey(),
            below.getValue(),
            0,
            "holds no valid header ("
                + belowWhy
                + "), yet segment file "
                + k
                + " was prepared after it was taken into use (zeroed or overwritten?)");
        files.remove(below.getKey()); // damaged mode: kept on disk as evidence, never read
      }
    }
    discard.add(last.getValue());
    return discarded;
  }

  /**
   * Why a trailing file is not log (a spare never used, a partial preallocation, a rotation whose
   * header never became durable), or null when it must be read as a segment. A spare is all zeros
   * except for damage to its zero body (FORMAT.md); a CRC-valid record in it means it held records
   * and lost its header, which is not a spare.
   */
  private String unusedReason(Path file) throws IOException {
    try (StorageFile f = storage.openReadOnly(file)) {
      long size = f.size();
      int anyLength = (int) Math.min(size, Integer.MAX_VALUE - RecordCodec.HEADER_SIZE);
      SegmentReader all = new SegmentReader(f, size, anyLength, true, 0);
      if (size < SegmentHeader.SIZE) {
        return all.firstNonZero(0) < 0 ? "partial preallocation (" + size + " bytes)" : null;
      }
      ByteBuffer header = RecordCodec.heap(SegmentHeader.SIZE);
      LogScanner.readFully(f, header, 0);
      long nonZero = all.firstNonZero(SegmentHeader.SIZE);
      if (SegmentHeader.isBlank(header)) {
        if (nonZero < 0) {
          return "unused preallocated segment";
        }
        if (all.findFrame(SegmentHeader.SIZE, 1, Long.MAX_VALUE / 4) >= 0) {
          return null; // records without a header: refused as a bad header
        }
        return "unused preallocated segment (damaged zero body: non-zero byte at offset "
            + nonZero
            + ", no record)";
      }
      if (nonZero >= 0) {
        return null;
      }
      try {
        SegmentHeader.decode(header);
        return null; // a valid, empty segment
      } catch (SegmentHeader.BadHeader e) {
        return "torn header of a segment that never held a record (" + e.getMessage() + ")";
      }
    }
  }

  Optional<HeadFile.Head> readHead() throws IOException {
    try {
      Optional<HeadFile.Head> head = HeadFile.read(storage, directory);
      if (head.isEmpty()) {
        LOG.log(
            Level.WARNING,
            "WAL {0}: no {1} (a new log, a log of format 1, or a restored copy); whether the"
                + " newest segment is present cannot be checked this time",
            directory,
            HeadFile.NAME);
      }
      return head;
    } catch (HeadFile.BadHead e) {
      sink.damageAt(HeadFile.path(directory) + " offset 0: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** The newest segment named by the head file must be there, valid, and the newest but one. */
  void checkHead(
      Optional<HeadFile.Head> head,
      TreeMap<Long, Path> files,
      TreeMap<Long, SegmentHeader> headers,
      TreeMap<Long, Path> discarded)
      throws WalException {
    if (head.isEmpty()) {
      return;
    }
    HeadFile.Head h = head.get();
    long index = h.index();
    String named =
        HeadFile.NAME
            + " names segment "
            + index
            + " (first LSN "
            + h.firstLsn()
            + ") as the newest segment in use";
    if (index >= 1) {
      Path p = SegmentFiles.path(directory, index);
      if (discarded.containsKey(index)) {
        discard.remove(discarded.get(index)); // keep the evidence on disk
        sink.damage(index, p, 0, "holds no valid header nor record, but " + named + " (zeroed?)");
      } else if (!files.containsKey(index)) {
        sink.damage(
            index, p, 0, "is missing, but " + named + " (deleted, renamed away, not restored?)");
      } else if (headers.containsKey(index) && headers.get(index).firstLsn() != h.firstLsn()) {
        sink.damage(
            index,
            p,
            24,
            "first LSN " + headers.get(index).firstLsn() + " differs: " + named + " (replaced?)");
      }
    }
    if (!files.isEmpty() && files.lastKey() > index + 1) {
      long l = files.lastKey();
      sink.damage(
          l,
          files.get(l),
          0,
          "is newer than segment "
              + (index + 1)
              + ", the newest that can exist while "
              + named
              + " ("
              + HeadFile.NAME
              + " replaced by an older copy?)");
    }
  }

  /** A log closed cleanly at LSN n must end at LSN n: anything shorter lost records. */
  void checkCleanEnd(Optional<HeadFile.Head> head, long end, SegmentState tail)
      throws WalException {
    if (head.isEmpty() || head.get().cleanEndLsn() < 0) {
      return;
    }
    long clean = head.get().cleanEndLsn();
    if (end != clean) {
      sink.damageAt(
          (tail == null
                  ? "end of the log (no segment)"
                  : "end of the log in segment "
                      + tail.index()
                      + " ("
                      + tail.path()
                      + ") offset "
                      + tail.endOffset())
              + ": the log was closed cleanly at LSN "
              + clean
              + " ("
              + HeadFile.NAME
              + ") but its segments end at LSN "
              + end
              + (end < clean
                  ? ": records "
                      + (end + 1)
                      + ".."
                      + clean
                      + " are gone (the newest segment replaced by an older copy, cut or zeroed?)"
                  : ": records were added after the clean close by something else"));
    }
  }
}
