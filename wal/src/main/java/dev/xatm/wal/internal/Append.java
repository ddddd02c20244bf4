package dev.xatm.wal.internal;

import java.util.concurrent.CompletableFuture;

/**
 * One record on its way to the disk, and the queue node that carries it (so an append allocates
 * nothing but this, the caller's payload and the future).
 *
 * <p>Threading: fields are written by the appender before it publishes the node under the queue
 * lock, and read by the writer thread after taking it under the same lock.
 */
final class Append {
  final int type;
  final byte[] payload;
  final boolean forced;

  /** Written with the next record that wakes the writer, not on its own (Wal#appendDeferred). */
  final boolean deferred;

  final CompletableFuture<Long> future = new CompletableFuture<>();

  /** When the appender made it, for the queue-wait histogram ({@link WriterStats}). */
  final long enqueuedNanos = System.nanoTime();

  long lsn;
  Append next;

  Append(int type, byte[] payload, boolean forced) {
    this(type, payload, forced, false);
  }

  Append(int type, byte[] payload, boolean forced, boolean deferred) {
    this.type = type;
    this.payload = payload;
    this.forced = forced;
    this.deferred = deferred;
  }

  int size() {
    return RecordCodec.frameSize(payload.length);
  }
}
