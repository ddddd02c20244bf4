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
  /** Default {@link #segmentSize()}: 16 MiB. */
  public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;

  /** Default {@link #maxRecordSize()}: 1 MiB. */
  public static final int DEFAULT_MAX_RECORD_SIZE = 1024 * 1024;

  /** Default {@link #queueMaxRecords()}. */
  public static final int DEFAULT_QUEUE_MAX_RECORDS = 16_384;

  /** Default {@link #queueMaxBytes()}: 64 MiB. */
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

  /**
   * {@return a builder with the defaults above, {@link Durability#FSYNC}, the real file system and
   * the UTC system clock}
   *
   * @param directory the log directory; not {@code null}
   */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** {@return the log directory (created if absent)} */
  public Path directory() {
    return directory;
  }

  /**
   * {@return the node id this log belongs to, or {@code null} to adopt the one stored in the
   * directory (or generate one for a new directory)}
   */
  public String nodeId() {
    return nodeId;
  }

  /** {@return the size of every segment file in bytes, header included} */
  public long segmentSize() {
    return segmentSize;
  }

  /**
   * {@return the largest accepted payload in bytes; checked on append and before any allocation on
   * read}
   */
  public int maxRecordSize() {
    return maxRecordSize;
  }

  /** {@return how many records may wait for the writer before appenders block} */
  public int queueMaxRecords() {
    return queueMaxRecords;
  }

  /** {@return how many payload bytes may wait for the writer before appenders block} */
  public long queueMaxBytes() {
    return queueMaxBytes;
  }

  /** {@return whether forced appends call fsync; {@link Durability#FSYNC} unless a test says so} */
  public Durability durability() {
    return durability;
  }

  /**
   * {@return whether to open a log whose damage is more than a torn tail} An operator override,
   * reporting what was lost in {@link OpenReport#damage()}. Off by default; a damaged log then
   * refuses to open.
   */
  public boolean openDamaged() {
    return openDamaged;
  }

  /** {@return the file system the log uses; replaced by a fault-injecting one in tests} */
  public Storage storage() {
    return storage;
  }

  /** {@return the clock for the informational times in segment headers and the lock file} */
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

    /**
     * Sets the node id the log belongs to; {@code null} (the default) adopts the one stored in the
     * directory, or generates one for a new directory. Checked by {@link NodeIds#validate} in
     * {@link #build()}.
     *
     * @param nodeId the node id, or {@code null}
     * @return this builder
     */
    public Builder nodeId(String nodeId) {
      this.nodeId = nodeId;
      return this;
    }

    /**
     * Sets the size of every segment file, header included (default 16 MiB). Must be between 64 KiB
     * and 2 GiB.
     *
     * @param segmentSize bytes per segment
     * @return this builder
     */
    public Builder segmentSize(long segmentSize) {
      this.segmentSize = segmentSize;
      return this;
    }

    /**
     * Sets the largest payload an append accepts (default 1 MiB). Must be between 64 bytes and a
     * quarter of the segment size.
     *
     * @param maxRecordSize bytes
     * @return this builder
     */
    public Builder maxRecordSize(int maxRecordSize) {
      this.maxRecordSize = maxRecordSize;
      return this;
    }

    /**
     * Sets how many records may wait for the writer before appenders block (default 16384). At
     * least 1.
     *
     * @param queueMaxRecords records
     * @return this builder
     */
    public Builder queueMaxRecords(int queueMaxRecords) {
      this.queueMaxRecords = queueMaxRecords;
      return this;
    }

    /**
     * Sets how many payload bytes may wait for the writer before appenders block (default 64 MiB).
     * At least the max record size.
     *
     * @param queueMaxBytes bytes
     * @return this builder
     */
    public Builder queueMaxBytes(long queueMaxBytes) {
      this.queueMaxBytes = queueMaxBytes;
      return this;
    }

    /**
     * Sets whether forced appends call fsync (default {@link Durability#FSYNC}).
     *
     * @param durability the durability mode; not {@code null}
     * @return this builder
     */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, "durability");
      return this;
    }

    /**
     * Sets the operator override that opens a log damaged beyond a torn tail (default off). See
     * {@link WalConfig#openDamaged()}.
     *
     * @param openDamaged true to open a damaged log
     * @return this builder
     */
    public Builder openDamaged(boolean openDamaged) {
      this.openDamaged = openDamaged;
      return this;
    }

    /**
     * Sets the file system the log uses (default {@link FileSystemStorage#INSTANCE}); tests pass a
     * fault-injecting one.
     *
     * @param storage the storage; not {@code null}
     * @return this builder
     */
    public Builder storage(Storage storage) {
      this.storage = Objects.requireNonNull(storage, "storage");
      return this;
    }

    /**
     * Sets the clock for the informational times in segment headers and the lock file (default the
     * UTC system clock).
     *
     * @param clock the clock; not {@code null}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * {@return the configuration} Checks every setting first.
     *
     * @throws IllegalArgumentException a setting is out of range; the message names it, its value
     *     and the rule
     */
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
