package dev.xatm.tm.wal;

import dev.xatm.wal.internal.SegmentHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Rewrites a segment file as a format-1 writer (an xatm release before issue 11) would have written
 * it: a version-1 header without the recorded record limit, records without the end mark (CRC over
 * length, lsn, type and payload). See wal/FORMAT.md, "Version history". Test-only.
 */
final class Format1 {
  private static final int HEADER = SegmentHeader.SIZE;

  private Format1() {}

  /**
   * Rewrites {@code segment} in place (a spare stays as it is); returns the length of its longest
   * record payload.
   */
  static long rewrite(Path segment) throws IOException {
    byte[] b = Files.readAllBytes(segment);
    if (b.length < HEADER || SegmentHeader.isBlank(ByteBuffer.wrap(b, 0, HEADER))) {
      return 0; // a spare, never used: the same in both formats
    }
    ByteBuffer in = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    SegmentHeader h;
    try {
      h =
          SegmentHeader.decode(
              ByteBuffer.wrap(b, 0, HEADER).slice().order(ByteOrder.LITTLE_ENDIAN));
    } catch (SegmentHeader.BadHeader e) {
      throw new IOException(segment + ": " + e.getMessage(), e);
    }
    ByteBuffer out = ByteBuffer.allocate(b.length).order(ByteOrder.LITTLE_ENDIAN);
    new SegmentHeader(
            h.index(),
            h.firstLsn(),
            h.createdMillis(),
            h.logId(),
            h.segmentSize(),
            h.nodeId(),
            h.damageAccepted(),
            0,
            1)
        .encode()
        .get(out.array(), 0, HEADER);
    out.position(HEADER);
    long longest = 0;
    for (int at = HEADER; at + 17 <= b.length && b[at + 16] != 0; ) {
      int len = in.getInt(at);
      longest = Math.max(longest, len);
      int start = out.position();
      out.putInt(len).putInt(0).put(b, at + 8, 9 + len);
      CRC32C crc = new CRC32C();
      crc.update(out.array(), start, 4);
      crc.update(out.array(), start + 8, 9 + len);
      out.putInt(start + 4, (int) crc.getValue());
      at += 17 + len + 1; // format 2: the end mark after the payload
    }
    Files.write(segment, out.array());
    return longest;
  }
}
