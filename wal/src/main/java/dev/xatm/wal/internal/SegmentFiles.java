package dev.xatm.wal.internal;

import java.nio.file.Path;

/** Segment and lock file names (FORMAT.md, "Directory"). */
public final class SegmentFiles {

  public static final String LOCK_FILE = "wal.lock";
  private static final String SUFFIX = ".wal";
  private static final int DIGITS = 20;

  private SegmentFiles() {}

  public static Path path(Path directory, long index) {
    return directory.resolve(String.format("%020d", index) + SUFFIX);
  }

  /**
   * True for files other modules keep in the log directory (FORMAT.md, "Directory"): checkpoints
   * ({@code checkpoint-*}) are skipped by the scan without a warning.
   */
  public static boolean isForeignKnown(String name) {
    return name.startsWith("checkpoint-");
  }

  /** The index named by a segment file name, or -1 when the name is not a segment's. */
  public static long indexOf(Path file) {
    String name = file.getFileName().toString();
    if (name.length() != DIGITS + SUFFIX.length() || !name.endsWith(SUFFIX)) {
      return -1;
    }
    long index = 0;
    for (int i = 0; i < DIGITS; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      index = index * 10 + (c - '0');
      if (index < 0) {
        return -1;
      }
    }
    return index;
  }
}
