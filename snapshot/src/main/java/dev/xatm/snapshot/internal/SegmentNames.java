package dev.xatm.snapshot.internal;

import java.nio.file.Path;

/** WAL segment file names ({@code %020d.wal}, wal/FORMAT.md "Directory"). */
public final class SegmentNames {
  private SegmentNames() {}

  public static Path path(Path directory, long index) {
    return directory.resolve(name(index));
  }

  public static String name(long index) {
    return String.format("%020d", index) + ".wal";
  }

  /** The index a segment file name carries, or -1. */
  public static long indexOf(String name) {
    if (name.length() != 24 || !name.endsWith(".wal")) {
      return -1;
    }
    try {
      return Long.parseLong(name.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
