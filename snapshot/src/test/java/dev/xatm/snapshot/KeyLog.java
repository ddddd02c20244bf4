package dev.xatm.snapshot;

import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalRecord;
import dev.xatm.wal.storage.Storage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A minimal log owner for tests, shaped like the TM's: records carry a long key, the state is the
 * set of keys, applied under the lock that enqueues the record; checkpoints carry the key set.
 * Startup = {@link ReplayStart} + replay, as the TM does it.
 */
final class KeyLog implements StateSource, AutoCloseable {
  static final Path DIR = Path.of("/log");
  static final int TYPE = 5;

  final Wal wal;
  final CheckpointStore store;
  final TreeSet<Long> state = new TreeSet<>(); // guarded by lock
  final long startLsn;
  private final ReentrantLock lock = new ReentrantLock();
  private long bytes;

  KeyLog(Storage storage) throws Exception {
    wal = Wal.open(config(storage));
    store = new CheckpointStore(storage, DIR);
    ReplayStart start = ReplayStart.choose(store, wal.nodeId(), wal.segments(), wal.lastLsn());
    Optional<Checkpoint> c = start.checkpoint();
    if (c.isPresent()) {
      ByteBuffer b = ByteBuffer.wrap(c.get().payload());
      while (b.hasRemaining()) {
        state.add(b.getLong());
      }
    }
    startLsn = c.map(Checkpoint::lsn).orElse(0L);
    try (WalCursor cur = wal.read(start.fromLsn())) {
      for (WalRecord r = cur.next(); r != null; r = cur.next()) {
        state.add(ByteBuffer.wrap(r.payload()).getLong());
      }
    }
  }

  static WalConfig config(Storage storage) {
    return WalConfig.builder(DIR)
        .nodeId("node-a")
        .segmentSize(64 * 1024)
        .maxRecordSize(4096)
        .storage(storage)
        .build();
  }

  /** Appends key (with padding so segments fill up) forced; returns when durable. */
  CompletableFuture<Long> add(long key) {
    byte[] p = ByteBuffer.allocate(200).putLong(key).array();
    lock.lock();
    try {
      CompletableFuture<Long> f = wal.appendForced(TYPE, p);
      if (!f.isCompletedExceptionally()) {
        state.add(key);
        bytes += 17 + p.length;
      }
      return f;
    } finally {
      lock.unlock();
    }
  }

  TreeSet<Long> keys() {
    lock.lock();
    try {
      return new TreeSet<>(state);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Capture capture() {
    lock.lock();
    try {
      ByteBuffer b = ByteBuffer.allocate(8 * state.size());
      state.forEach(b::putLong);
      return new Capture(wal.lastLsn(), wal.nodeId(), 1, b.array());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public CompletableFuture<Long> sync() {
    lock.lock();
    try {
      return wal.sync();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long appendedBytes() {
    lock.lock();
    try {
      return bytes;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() throws Exception {
    wal.close();
  }
}
