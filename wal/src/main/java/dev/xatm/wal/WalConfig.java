package dev.xatm.wal;

import dev.xatm.wal.storage.FileSystemStorage;
import dev.xatm.wal.storage.Storage;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;

/**
 * Immutable settings of one log. Build with {@link #builder(Path)}; invalid values fail in {@link
 * Builder#build()} with the setting's name.
 */
public final class WalConfig {
  public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;
  public static final int DEFAULT_MAX_RECORD_SIZE = 1024 * 1024;
  public static final int DEFAULT_QUEUE_MAX_RECORDS = 16_384;
  public static final long DEFAULT_QUEUE_MAX_BYTES = 64L * 1024 * 1024;

  private final Path directory;
  private final String nodeId;
  private final long segmentSize;
  private final int maxRecordSize;
  private final int queueMaxRecords;
  private final long queueMaxBytes;
  private final Durability durability;
  private final boolean openDamaged;
  private final Storage storage;
  private final Clock clock;

  private WalConfig(Builder b) {
    this.directory = b.directory;
    this.nodeId = b.nodeId;
    this.segmentSize = b.segmentSize;
    this.maxRecordSize = b.maxRecordSize;
    this.queueMaxRecords = b.queueMaxRecords;
    this.queueMaxBytes = b.queueMaxBytes;
    this.durability = b.durability;
    this.openDamaged = b.openDamaged;
    this.storage = b.storage;
    this.clock = b.clock;
  }

  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** The log directory (created if absent). */
  public Path directory() {
    return directory;
  }

  /**
   * The node id this log belongs to, or {@code null} to adopt the one stored in the directory (or
   * generate one for a new directory).
   */
  public String nodeId() {
    return nodeId;
  }

  /** Size of every segment file in bytes, header included. */
  public long segmentSize() {
    return segmentSize;
  }

  /** Largest accepted payload in bytes; checked on append and before any allocation on read. */
  public int maxRecordSize() {
    return maxRecordSize;
  }

  /** How many records may wait for the writer before appenders block. */
  public int queueMaxRecords() {
    return queueMaxRecords;
  }

  /** How many payload bytes may wait for the writer before appenders block. */
  public long queueMaxBytes() {
    return queueMaxBytes;
  }

  public Durability durability() {
    return durability;
  }

  /**
   * Operator override: open a log whose damage is more than a torn tail, reporting what was lost in
   * {@link OpenReport#damage()}. Off by default; the log then refuses to open.
   */
  public boolean openDamaged() {
    return openDamaged;
  }

  /** The file system the log uses; replaced by a fault-injecting one in tests. */
  public Storage storage() {
    return storage;
  }

  /** The clock for the informational times in segment headers and the lock file. */
  public Clock clock() {
    return clock;
  }

  /** Builder for {@link WalConfig}. Not thread-safe. */
  public static final class Builder {
    private final Path directory;
    private String nodeId;
    private long segmentSize = DEFAULT_SEGMENT_SIZE;
    private int maxRecordSize = DEFAULT_MAX_RECORD_SIZE;
    private int queueMaxRecords = DEFAULT_QUEUE_MAX_RECORDS;
    private long queueMaxBytes = DEFAULT_QUEUE_MAX_BYTES;
    private Durability durability = Durability.FSYNC;
    private boolean openDamaged;
    private Storage storage = FileSystemStorage.INSTANCE;
    private Clock clock = Clock.systemUTC();

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
    }

    public Builder nodeId(String nodeId) {
      this.nodeId = nodeId;
      return this;
    }

    public Builder segmentSize(long segmentSize) {
      this.segmentSize = segmentSize;
      return this;
    }

    public Builder maxRecordSize(int maxRecordSize) {
      this.maxRecordSize = maxRecordSize;
      return this;
    }

    public Builder queueMaxRecords(int queueMaxRecords) {
      this.queueMaxRecords = queueMaxRecords;
      return this;
    }

    public Builder queueMaxBytes(long queueMaxBytes) {
      this.queueMaxBytes = queueMaxBytes;
      return this;
    }

    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    public Builder openDamaged(boolean openDamaged) {
      this.openDamaged = openDamaged;
      return this;
    }

    public Builder storage(Storage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public WalConfig build() {
      if (nodeId != null) {
        NodeIds.validate(nodeId);
      }
      require(
          segmentSize >= 64 * 1024 && segmentSize <= (1L << 31),
          "segmentSize",
          segmentSize,
          "between 64 KiB and 2 GiB");
      require(
          maxRecordSize >= 64 && maxRecordSize <= segmentSize / 4,
          "maxRecordSize",
          maxRecordSize,
          "between 64 bytes and a quarter of segmentSize");
      require(queueMaxRecords >= 1, "queueMaxRecords", queueMaxRecords, "at least 1");
      require(
          queueMaxBytes >= maxRecordSize,
          "queueMaxBytes",
          queueMaxBytes,
          "at least maxRecordSize (" + maxRecordSize + ")");
      return new WalConfig(this);
    }

    private static void require(boolean ok, String name, Object value, String rule) {
      if (!ok) {
        throw new IllegalArgumentException(
            "WAL setting " + name + " = " + value + " is invalid: it must be " + rule);
      }
    }
  }
}
