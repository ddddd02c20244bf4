package dev.xatm.tm;

import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.wal.Durability;
import dev.xatm.wal.NodeIds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The immutable settings of one transaction manager. Every key, its type, default and doc is in
 * {@link XatmSettings} (the README's configuration table is checked against it).
 *
 * <pre>{@code
 * XatmConfig config = XatmConfig.builder().nodeId("orders-1").logDir(Path.of("/var/lib/xatm"))
 *     .defaultTimeout(Duration.ofSeconds(30)).build();
 * XatmConfig fromFiles = XatmConfig.load();  // xatm.properties < XATM_* < -Dxatm.*
 * }</pre>
 *
 * <p>One precedence for every entry point, highest first: code (this builder; a Spring customizer)
 * &gt; {@code -Dxatm.*} system properties &gt; {@code XATM_*} environment variables &gt; the
 * properties given ({@code xatm.properties}, the map of {@link #fromProperties(Map)}, Spring's
 * property sources) &gt; defaults. {@link #builder()} alone reads nothing from the process. An
 * unknown {@code xatm.*} key or {@code XATM_*} variable fails, naming the nearest known one.
 *
 * <p>Durations: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d} or {@code 0}. Sizes:
 * bytes, or with {@code KiB}/{@code MiB}/{@code GiB}.
 */
public final class XatmConfig {
  private static final System.Logger LOG = System.getLogger(XatmConfig.class.getName());

  /** The key of {@link XatmSettings#NODE_ID}: {@value}. */
  public static final String NODE_ID = "xatm.node-id";

  /** The key of {@link XatmSettings#LOG_DIR}: {@value}. */
  public static final String LOG_DIR = "xatm.log.dir";

  /** The key of {@link XatmSettings#LOG_SEGMENT_SIZE}: {@value}. */
  public static final String LOG_SEGMENT_SIZE = "xatm.log.segment-size";

  /** The key of {@link XatmSettings#LOG_DURABILITY}: {@value}. */
  public static final String LOG_DURABILITY = "xatm.log.durability";

  /** The key of {@link XatmSettings#LOG_OPEN_DAMAGED}: {@value}. */
  public static final String LOG_OPEN_DAMAGED = "xatm.log.open-damaged";

  /** The key of {@link XatmSettings#DEFAULT_TIMEOUT}: {@value}. */
  public static final String DEFAULT_TIMEOUT = "xatm.transaction.default-timeout";

  /** The key of {@link XatmSettings#REAPER_INTERVAL}: {@value}. */
  public static final String REAPER_INTERVAL = "xatm.transaction.reaper-interval";

  /** The key of {@link XatmSettings#PARALLELISM}: {@value}. */
  public static final String PARALLELISM = "xatm.parallelism";

  /** The key of {@link XatmSettings#RETRY_INITIAL}: {@value}. */
  public static final String RETRY_INITIAL = "xatm.commit-retry.initial-backoff";

  /** The key of {@link XatmSettings#RETRY_MAX}: {@value}. */
  public static final String RETRY_MAX = "xatm.commit-retry.max-backoff";

  /** The key of {@link XatmSettings#INSTALL_DEFAULT}: {@value}. */
  public static final String INSTALL_DEFAULT = "xatm.runtime.install-default";

  /** The key of {@link XatmSettings#JMX_ENABLED}: {@value}. */
  public static final String JMX_ENABLED = "xatm.jmx.enabled";

  /** The key of {@link XatmSettings#JMX_OPERATIONS}: {@value}. */
  public static final String JMX_OPERATIONS = "xatm.jmx.operations";

  /** {@value}: the prefix of the recovery settings, see {@link #recovery()}. */
  public static final String RECOVERY_PREFIX = "xatm.recovery.";

  /** The key of {@link XatmSettings#CHECKPOINT_ENABLED}: {@value}. */
  public static final String CHECKPOINT_ENABLED = "xatm.checkpoint.enabled";

  /** The key of {@link XatmSettings#CHECKPOINT_INTERVAL}: {@value}. */
  public static final String CHECKPOINT_INTERVAL = "xatm.checkpoint.interval";

  /** The key of {@link XatmSettings#CHECKPOINT_BYTES}: {@value}. */
  public static final String CHECKPOINT_BYTES = "xatm.checkpoint.bytes";

  /** The key of {@link XatmSettings#CHECKPOINT_ON_ROTATION}: {@value}. */
  public static final String CHECKPOINT_ON_ROTATION = "xatm.checkpoint.on-rotation";

  /** The key of {@link XatmSettings#LOG_MAX_SIZE}: {@value}. */
  public static final String LOG_MAX_SIZE = "xatm.log.max-size";

  /** The key of {@link XatmSettings#ARCHIVE_DIR}: {@value}. */
  public static final String ARCHIVE_DIR = "xatm.log.archive.dir";

  /** The key of {@link XatmSettings#ARCHIVE_MAX_SIZE}: {@value}. */
  public static final String ARCHIVE_MAX_SIZE = "xatm.log.archive.max-size";

  /** System property naming a properties file to load instead of classpath xatm.properties. */
  public static final String CONFIG_FILE_PROPERTY = "xatm.config";

  private final String nodeId;
  private final Path logDir;
  private final long segmentSize;
  private final Durability durability;
  private final boolean logOpenDamaged;
  private final Duration defaultTimeout;
  private final Duration reaperInterval;
  private final int parallelism;
  private final Duration retryInitialBackoff;
  private final Duration retryMaxBackoff;
  private final boolean installAsDefault;
  private final boolean jmxEnabled;
  private final boolean jmxOperations;
  private final Map<String, String> recovery;
  private final Map<String, String> cluster;
  private final Snapshots snapshots;

  private XatmConfig(Builder b) {
    nodeId = b.nodeId;
    logDir = b.logDir;
    segmentSize = b.segmentSize;
    durability = b.durability;
    logOpenDamaged = b.logOpenDamaged;
    defaultTimeout = b.defaultTimeout;
    reaperInterval = b.reaperInterval;
    parallelism = b.parallelism;
    retryInitialBackoff = b.retryInitialBackoff;
    retryMaxBackoff = b.retryMaxBackoff;
    installAsDefault = b.installAsDefault;
    jmxEnabled = b.jmxEnabled;
    jmxOperations = b.jmxOperations;
    recovery = Collections.unmodifiableMap(new TreeMap<>(b.recovery));
    cluster = Collections.unmodifiableMap(new TreeMap<>(b.cluster));
    snapshots = b.snapshots();
  }

  /**
   * A builder with the table's defaults. It reads nothing from the process: a {@code -Dxatm.*}
   * system property or {@code XATM_*} variable set while a config is built this way is not applied,
   * and {@link Builder#build()} says so in a WARNING. Start from {@code
   * XatmConfig.load().toBuilder()} to put code above the process's settings.
   *
   * @return a builder with the defaults of {@link XatmSettings}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this configuration, for code to override some values (the top of the
   * precedence). The checkpoint and log-size caps are copied as bytes, not as segment multiples.
   *
   * @return a builder holding every value of this configuration
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.fromProcess = true;
    b.nodeId = nodeId;
    b.logDir = logDir;
    b.segmentSize = segmentSize;
    b.durability = durability;
    b.logOpenDamaged = logOpenDamaged;
    b.defaultTimeout = defaultTimeout;
    b.reaperInterval = reaperInterval;
    b.parallelism = parallelism;
    b.retryInitialBackoff = retryInitialBackoff;
    b.retryMaxBackoff = retryMaxBackoff;
    b.installAsDefault = installAsDefault;
    b.jmxEnabled = jmxEnabled;
    b.jmxOperations = jmxOperations;
    b.recovery.putAll(recovery);
    b.cluster.putAll(cluster);
    b.checkpointsEnabled = snapshots.enabled();
    b.checkpointInterval = snapshots.interval();
    b.checkpointBytes = snapshots.bytes();
    b.checkpointOnRotation = snapshots.onRotation();
    b.logMaxSize = snapshots.logMaxSize();
    b.archiveDir = snapshots.archiveDir();
    b.archiveMaxSize = snapshots.archiveMaxSize();
    return b;
  }

  /**
   * Loads from the process, read now: {@code xatm.properties} (the file named by {@code
   * -Dxatm.config} or {@code XATM_CONFIG}, else the class path's), overridden by {@code XATM_*}
   * environment variables, overridden by {@code -Dxatm.*} system properties.
   *
   * @return the configuration
   * @throws XatmConfigException an unknown key or variable, a bad value, or an unreadable file
   */
  public static XatmConfig load() {
    return load(
        SettingsReader.systemProperties(),
        System.getenv(),
        Thread.currentThread().getContextClassLoader());
  }

  /**
   * As {@link #load()}, from the given system properties, environment and class loader.
   *
   * @param systemProperties stands for {@link System#getProperties()}
   * @param environment stands for {@link System#getenv()}
   * @param loader where to find {@code xatm.properties} when no file is named
   * @return the configuration
   * @throws XatmConfigException as for {@link #load()}
   */
  public static XatmConfig load(
      Map<String, String> systemProperties, Map<String, String> environment, ClassLoader loader) {
    Map<String, String> file = ConfigSources.file(systemProperties, environment, loader);
    return SettingsReader.read(
        ConfigSources.merge(file, "xatm.properties", systemProperties, environment, n -> false));
  }

  /**
   * Builds from these properties (in place of {@code xatm.properties}), overridden by the process's
   * {@code XATM_*} environment and {@code -Dxatm.*} system properties, read now: the precedence of
   * {@link #load()}.
   *
   * @param props the settings, keyed {@code xatm.*}; keys of other namespaces are ignored
   * @return the configuration
   * @throws XatmConfigException an unknown key or variable, or a bad value
   */
  public static XatmConfig fromProperties(Map<String, String> props) {
    return fromProperties(props, SettingsReader.systemProperties(), System.getenv());
  }

  /**
   * As {@link #fromProperties(Map)}, with the given system properties and environment.
   *
   * @param props the settings, keyed {@code xatm.*}
   * @param systemProperties stands for {@link System#getProperties()}
   * @param environment stands for {@link System#getenv()}
   * @return the configuration
   * @throws XatmConfigException an unknown key or variable, or a bad value
   */
  public static XatmConfig fromProperties(
      Map<String, String> props,
      Map<String, String> systemProperties,
      Map<String, String> environment) {
    return SettingsReader.read(
        ConfigSources.merge(props, "properties", systemProperties, environment, n -> false));
  }

  /**
   * Builds from settings already merged and checked by the caller's precedence (the Spring Boot
   * starter, which orders Spring's property sources itself); unknown keys still fail. Nothing is
   * read from the process.
   *
   * @param settings the merged settings, keyed {@code xatm.*}
   * @return the configuration
   * @throws XatmConfigException an unknown key or a bad value
   */
  public static XatmConfig fromMergedSettings(Map<String, String> settings) {
    return SettingsReader.read(XatmSettings.TABLE.canonical(settings, "settings"));
  }

  /**
   * {@return the checkpoint, log-size and archive settings (docs/snapshots.md)} Caps given as
   * segment multiples by default are resolved to bytes here.
   */
  public Snapshots snapshots() {
    return snapshots;
  }

  /**
   * Checkpoint, log-size and archive settings.
   *
   * @param enabled checkpoints and segment GC run ({@value #CHECKPOINT_ENABLED})
   * @param interval checkpoint after this long ({@link Duration#ZERO}: never by time)
   * @param bytes checkpoint after this many bytes were logged (0: never by size)
   * @param onRotation checkpoint when the log moves to a new segment
   * @param logMaxSize cap on the log directory's size in bytes (0: none)
   * @param archiveDir where deleted segments are copied first, or {@code null}
   * @param archiveMaxSize cap on the archive's size in bytes (0: none)
   */
  public record Snapshots(
      boolean enabled,
      Duration interval,
      long bytes,
      boolean onRotation,
      long logMaxSize,
      Path archiveDir,
      long archiveMaxSize) {}

  /** {@return the configured node id, or {@code null} to adopt the log directory's} */
  public String nodeId() {
    return nodeId;
  }

  /** {@return the write-ahead log directory} */
  public Path logDir() {
    return logDir;
  }

  /** {@return the size of a log segment file in bytes} */
  public long segmentSize() {
    return segmentSize;
  }

  /** {@return whether the log calls fsync; {@link Durability#FSYNC} unless a test says so} */
  public Durability durability() {
    return durability;
  }

  /** {@return the timeout of a transaction begun without {@code setTransactionTimeout}} */
  public Duration defaultTimeout() {
    return defaultTimeout;
  }

  /** {@return how often the timeout reaper looks for expired transactions} */
  public Duration reaperInterval() {
    return reaperInterval;
  }

  /** {@return the threads that prepare and commit the branches of a transaction in parallel} */
  public int parallelism() {
    return parallelism;
  }

  /**
   * {@return the first wait of the background retry of a branch whose commit failed after the
   * decision}
   */
  public Duration retryInitialBackoff() {
    return retryInitialBackoff;
  }

  /** {@return the longest wait between those retries} */
  public Duration retryMaxBackoff() {
    return retryMaxBackoff;
  }

  /**
   * {@return whether the TM installs itself as the JVM's default runtime ({@link
   * dev.xatm.tm.spi.XatmRuntimes}), for {@code jdbc:xa:} connections from {@code DriverManager}}
   */
  public boolean installAsDefault() {
    return installAsDefault;
  }

  /**
   * Operator override ("damaged mode", docs/recovery.md): open a log whose damage is more than a
   * torn tail, or whose checkpoint lies beyond its end; recovery then commits what is decided and
   * presumes nothing else, keeping it in doubt until an operator resolves it.
   *
   * @return whether the damaged mode is on
   */
  public boolean logOpenDamaged() {
    return logOpenDamaged;
  }

  /** {@return whether the TM publishes {@link XatmMetricsMXBean} on the platform MBean server} */
  public boolean jmxEnabled() {
    return jmxEnabled;
  }

  /**
   * Whether the TM also publishes {@link XatmOperationsMXBean} (list and resolve in-doubt Xids,
   * list and clear heuristics, run a recovery pass; docs/operations.md, "Online mode"). Off by
   * default: these operations change transaction outcomes. Needs {@link #jmxEnabled()}.
   *
   * @return whether the operations MXBean is published
   */
  public boolean jmxOperations() {
    return jmxOperations;
  }

  /**
   * {@return every {@code xatm.recovery.*} setting as given (for example {@code
   * xatm.recovery.resource.bank.url}), sorted by key} Recovery parses and validates them ({@link
   * dev.xatm.tm.recovery.RecoveryConfig}). Unmodifiable.
   */
  public Map<String, String> recovery() {
    return recovery;
  }

  /** {@return the raw {@code xatm.cluster.*} settings, parsed by {@link ClusterConfig#parse}} */
  public Map<String, String> cluster() {
    return cluster;
  }

  @Override
  public String toString() {
    return "XatmConfig[nodeId="
        + nodeId
        + ", logDir="
        + logDir
        + ", segmentSize="
        + segmentSize
        + ", durability="
        + durability
        + ", defaultTimeout="
        + defaultTimeout
        + ", parallelism="
        + parallelism
        + ", recovery keys="
        + recovery.keySet()
        + "]";
  }

  /** Builder; {@link #build()} validates and names the property of a bad value. */
  public static final class Builder {
    // The defaults are the table's (XatmSettings), so the builder, the files and the README agree.
    private String nodeId = XatmSettings.NODE_ID.defaultValue();
    private Path logDir = XatmSettings.LOG_DIR.defaultValue();
    private long segmentSize = XatmSettings.LOG_SEGMENT_SIZE.defaultValue();
    private Durability durability =
        SettingsReader.durability(XatmSettings.LOG_DURABILITY.defaultValue());
    private boolean logOpenDamaged = XatmSettings.LOG_OPEN_DAMAGED.defaultValue();
    private Duration defaultTimeout = XatmSettings.DEFAULT_TIMEOUT.defaultValue();
    private Duration reaperInterval = XatmSettings.REAPER_INTERVAL.defaultValue();
    private int parallelism = XatmSettings.PARALLELISM.defaultValue();
    private Duration retryInitialBackoff = XatmSettings.RETRY_INITIAL.defaultValue();
    private Duration retryMaxBackoff = XatmSettings.RETRY_MAX.defaultValue();
    private boolean installAsDefault = XatmSettings.INSTALL_DEFAULT.defaultValue();
    private boolean jmxEnabled = XatmSettings.JMX_ENABLED.defaultValue();
    private boolean jmxOperations = XatmSettings.JMX_OPERATIONS.defaultValue();
    private final Map<String, String> recovery = new LinkedHashMap<>();
    private final Map<String, String> cluster = new LinkedHashMap<>();
    private boolean checkpointsEnabled = XatmSettings.CHECKPOINT_ENABLED.defaultValue();
    private Duration checkpointInterval = XatmSettings.CHECKPOINT_INTERVAL.defaultValue();
    private Long checkpointBytes = XatmSettings.CHECKPOINT_BYTES.defaultValue(); // null: 2 segments
    private boolean checkpointOnRotation = XatmSettings.CHECKPOINT_ON_ROTATION.defaultValue();
    private Long logMaxSize = XatmSettings.LOG_MAX_SIZE.defaultValue(); // null: 32 segments
    private Path archiveDir = XatmSettings.ARCHIVE_DIR.defaultValue();
    private long archiveMaxSize = XatmSettings.ARCHIVE_MAX_SIZE.defaultValue();

    /** Whether the values came through the process's layers (load, fromProperties, toBuilder). */
    boolean fromProcess;

    private Builder() {}

    /**
     * Sets {@link XatmSettings#CHECKPOINT_ENABLED}: whether checkpoints and segment deletion run.
     *
     * @param enabled false keeps every segment
     * @return this builder
     */
    public Builder checkpointsEnabled(boolean enabled) {
      this.checkpointsEnabled = enabled;
      return this;
    }

    /**
     * Sets {@link XatmSettings#CHECKPOINT_INTERVAL}: checkpoint after this long.
     *
     * @param interval zero for never by time; not negative, not {@code null}
     * @return this builder
     */
    public Builder checkpointInterval(Duration interval) {
      this.checkpointInterval = Objects.requireNonNull(interval, CHECKPOINT_INTERVAL);
      return this;
    }

    /**
     * Sets {@link XatmSettings#CHECKPOINT_BYTES}: checkpoint after this many bytes were logged.
     * Unset, it is two segments.
     *
     * @param bytes zero for never by size; not negative
     * @return this builder
     */
    public Builder checkpointBytes(long bytes) {
      this.checkpointBytes = bytes;
      return this;
    }

    /**
     * Sets {@link XatmSettings#CHECKPOINT_ON_ROTATION}: checkpoint when the log moves to a new
     * segment.
     *
     * @param onRotation whether to
     * @return this builder
     */
    public Builder checkpointOnRotation(boolean onRotation) {
      this.checkpointOnRotation = onRotation;
      return this;
    }

    /**
     * Sets {@link XatmSettings#LOG_MAX_SIZE}: the hard cap on the log directory, past which new
     * transactions are refused. Unset, it is 32 segments.
     *
     * @param bytes zero for no cap, else at least four segments
     * @return this builder
     */
    public Builder logMaxSize(long bytes) {
      this.logMaxSize = bytes;
      return this;
    }

    /**
     * Sets {@link XatmSettings#ARCHIVE_DIR}: where each segment is copied before it is deleted.
     *
     * @param dir the archive directory, not the log directory; {@code null} for none
     * @return this builder
     */
    public Builder archiveDir(Path dir) {
      this.archiveDir = dir;
      return this;
    }

    /**
     * Sets {@link XatmSettings#ARCHIVE_MAX_SIZE}: the cap on the archive's size.
     *
     * @param bytes zero for unlimited; not negative
     * @return this builder
     */
    public Builder archiveMaxSize(long bytes) {
      this.archiveMaxSize = bytes;
      return this;
    }

    private Snapshots snapshots() {
      return new Snapshots(
          checkpointsEnabled,
          checkpointInterval,
          checkpointBytes == null ? 2 * segmentSize : checkpointBytes,
          checkpointOnRotation,
          logMaxSize == null ? 32 * segmentSize : logMaxSize,
          archiveDir,
          archiveMaxSize);
    }

    /**
     * Sets {@link XatmSettings#NODE_ID}: this node's identity, embedded in every Xid.
     *
     * @param nodeId 1 to 32 printable ASCII bytes; {@code null} adopts the log directory's, or
     *     generates one
     * @return this builder
     */
    public Builder nodeId(String nodeId) {
      this.nodeId = nodeId;
      return this;
    }

    /**
     * Sets {@link XatmSettings#LOG_DIR}: the write-ahead log directory.
     *
     * @param logDir the directory; not {@code null}
     * @return this builder
     */
    public Builder logDir(Path logDir) {
      this.logDir = Objects.requireNonNull(logDir, LOG_DIR);
      return this;
    }

    /**
     * Sets {@link XatmSettings#LOG_SEGMENT_SIZE}: the size of a segment file.
     *
     * @param segmentSize bytes, between 64 KiB and 2 GiB
     * @return this builder
     */
    public Builder segmentSize(long segmentSize) {
      this.segmentSize = segmentSize;
      return this;
    }

    /**
     * Sets {@link XatmSettings#LOG_DURABILITY}: whether the log calls fsync.
     *
     * @param durability {@link Durability#FSYNC} but in tests; not {@code null}
     * @return this builder
     */
    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, LOG_DURABILITY);
      return this;
    }

    /**
     * Sets {@link XatmSettings#DEFAULT_TIMEOUT}: the timeout of a transaction begun without one.
     *
     * @param defaultTimeout positive, at most {@link Integer#MAX_VALUE} seconds; not {@code null}
     * @return this builder
     */
    public Builder defaultTimeout(Duration defaultTimeout) {
      this.defaultTimeout = Objects.requireNonNull(defaultTimeout, DEFAULT_TIMEOUT);
      return this;
    }

    /**
     * Sets {@link XatmSettings#REAPER_INTERVAL}: how often the timeout reaper looks.
     *
     * @param reaperInterval positive; not {@code null}
     * @return this builder
     */
    public Builder reaperInterval(Duration reaperInterval) {
      this.reaperInterval = Objects.requireNonNull(reaperInterval, REAPER_INTERVAL);
      return this;
    }

    /**
     * Sets {@link XatmSettings#PARALLELISM}: the threads that prepare and commit branches in
     * parallel.
     *
     * @param parallelism 1 to 1024
     * @return this builder
     */
    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    /**
     * Sets {@link XatmSettings#RETRY_INITIAL}: the first wait of the background commit retry.
     *
     * @param d positive, not longer than the max backoff; not {@code null}
     * @return this builder
     */
    public Builder retryInitialBackoff(Duration d) {
      this.retryInitialBackoff = Objects.requireNonNull(d, RETRY_INITIAL);
      return this;
    }

    /**
     * Sets {@link XatmSettings#RETRY_MAX}: the longest wait between commit retries.
     *
     * @param d positive, not shorter than the initial backoff; not {@code null}
     * @return this builder
     */
    public Builder retryMaxBackoff(Duration d) {
      this.retryMaxBackoff = Objects.requireNonNull(d, RETRY_MAX);
      return this;
    }

    /**
     * Sets {@link XatmSettings#JMX_ENABLED}: whether the metrics MXBean is published.
     *
     * @param enabled whether to publish it
     * @return this builder
     */
    public Builder jmxEnabled(boolean enabled) {
      this.jmxEnabled = enabled;
      return this;
    }

    /**
     * Sets {@link XatmSettings#JMX_OPERATIONS}; see {@link XatmConfig#jmxOperations()}.
     *
     * @param enabled whether to publish the operations MXBean; needs {@link #jmxEnabled}
     * @return this builder
     */
    public Builder jmxOperations(boolean enabled) {
      this.jmxOperations = enabled;
      return this;
    }

    /**
     * Sets {@link XatmSettings#INSTALL_DEFAULT}; see {@link XatmConfig#installAsDefault()}.
     *
     * @param install whether the TM installs itself as the JVM default
     * @return this builder
     */
    public Builder installAsDefault(boolean install) {
      this.installAsDefault = install;
      return this;
    }

    /**
     * Sets {@link XatmSettings#LOG_OPEN_DAMAGED}; see {@link XatmConfig#logOpenDamaged()}.
     *
     * @param openDamaged whether to open a damaged log (operator override)
     * @return this builder
     */
    public Builder logOpenDamaged(boolean openDamaged) {
      this.logOpenDamaged = openDamaged;
      return this;
    }

    /**
     * Adds a recovery setting, kept verbatim and checked when the TM starts recovery.
     *
     * @param key a key starting with {@code xatm.recovery.}
     * @param value its value; not {@code null}
     * @return this builder
     * @throws XatmConfigException the key does not start with {@code xatm.recovery.}
     */
    public Builder recovery(String key, String value) {
      if (!key.startsWith(RECOVERY_PREFIX)) {
        throw XatmConfigException.unknownKey(key, "recovery keys start with " + RECOVERY_PREFIX);
      }
      recovery.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    /**
     * Sets one {@code xatm.cluster.*} setting (docs/cluster.md).
     *
     * @param key a key starting with {@code xatm.cluster.}
     * @param value its value, parsed by {@link ClusterConfig#parse} at start
     * @return this builder
     */
    public Builder cluster(String key, String value) {
      if (!key.startsWith(ClusterConfig.PREFIX)) {
        throw XatmConfigException.unknownKey(
            key, "cluster keys start with " + ClusterConfig.PREFIX);
      }
      cluster.put(key, Objects.requireNonNull(value, key));
      return this;
    }

    /**
     * {@return the configuration} Checks every value first; when this builder came from {@link
     * XatmConfig#builder()}, logs a WARNING naming the {@code -Dxatm.*} and {@code XATM_*} settings
     * of the process it does not apply.
     *
     * @throws XatmConfigException a bad value, naming its property
     */
    public XatmConfig build() {
      if (nodeId != null) {
        try {
          NodeIds.validate(nodeId);
        } catch (IllegalArgumentException e) {
          throw new XatmConfigException(NODE_ID, nodeId, e.getMessage());
        }
      }
      if (segmentSize < 64 * 1024 || segmentSize > (1L << 31)) {
        throw new XatmConfigException(
            LOG_SEGMENT_SIZE, Long.toString(segmentSize), "must be between 64KiB and 2GiB");
      }
      positive(DEFAULT_TIMEOUT, defaultTimeout);
      if (defaultTimeout.getSeconds() > Integer.MAX_VALUE) {
        throw new XatmConfigException(DEFAULT_TIMEOUT, defaultTimeout.toString(), "too long");
      }
      positive(REAPER_INTERVAL, reaperInterval);
      positive(RETRY_INITIAL, retryInitialBackoff);
      positive(RETRY_MAX, retryMaxBackoff);
      if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
        throw new XatmConfigException(
            RETRY_MAX,
            retryMaxBackoff.toString(),
            "must not be shorter than " + RETRY_INITIAL + " (" + retryInitialBackoff + ")");
      }
      if (checkpointInterval.isNegative()) {
        throw new XatmConfigException(
            CHECKPOINT_INTERVAL, checkpointInterval.toString(), "must be 0 (off) or positive");
      }
      if (checkpointBytes != null && checkpointBytes < 0) {
        throw new XatmConfigException(
            CHECKPOINT_BYTES, checkpointBytes.toString(), "must be 0 (off) or positive");
      }
      if (logMaxSize != null && logMaxSize != 0 && logMaxSize < 4 * segmentSize) {
        throw new XatmConfigException(
            LOG_MAX_SIZE,
            logMaxSize.toString(),
            "must be 0 (no cap) or at least 4 segments ("
                + 4 * segmentSize
                + " bytes with "
                + LOG_SEGMENT_SIZE
                + " = "
                + segmentSize
                + "): the log needs the segments since the older retained checkpoint, the"
                + " active one and the spare");
      }
      if (archiveMaxSize < 0) {
        throw new XatmConfigException(
            ARCHIVE_MAX_SIZE, Long.toString(archiveMaxSize), "must be 0 (unlimited) or positive");
      }
      if (archiveDir != null && archiveDir.toAbsolutePath().equals(logDir.toAbsolutePath())) {
        throw new XatmConfigException(
            ARCHIVE_DIR, archiveDir.toString(), "must not be the log directory " + LOG_DIR);
      }
      if (jmxOperations && !jmxEnabled) {
        throw new XatmConfigException(
            JMX_OPERATIONS,
            "true",
            "needs " + JMX_ENABLED + "=true (the operations are published over JMX)");
      }
      if (parallelism < 1 || parallelism > 1024) {
        throw new XatmConfigException(
            PARALLELISM, Integer.toString(parallelism), "must be between 1 and 1024");
      }
      if (!fromProcess) {
        warnIgnored();
      }
      return new XatmConfig(this);
    }

    /** -Dxatm.* and XATM_* are never ignored silently: name those a builder() config leaves out. */
    private static void warnIgnored() {
      Map<String, String> sys = new TreeMap<>();
      System.getProperties().forEach((k, v) -> sys.put(String.valueOf(k), String.valueOf(v)));
      List<String> ignored = ignoredByBuilder(sys, System.getenv());
      if (!ignored.isEmpty()) {
        LOG.log(
            System.Logger.Level.WARNING,
            "XatmConfig.builder() reads nothing from the process, so "
                + ignored
                + " are not applied; build from XatmConfig.load().toBuilder() to apply them"
                + " under the values set in code");
      }
    }

    /** The settings of the process that a {@link #builder()} config does not apply. */
    static List<String> ignoredByBuilder(Map<String, String> sys, Map<String, String> env) {
      List<String> ignored = new ArrayList<>();
      for (String k : new TreeSet<>(sys.keySet())) {
        if (k.startsWith("xatm.") && !XatmSettings.TABLE.reserved(k)) {
          ignored.add("-D" + k);
        }
      }
      for (String n : new TreeSet<>(env.keySet())) {
        if (n.startsWith("XATM_")) {
          try {
            if (!XatmSettings.TABLE.fromEnvironment(Map.of(n, ""), x -> false).isEmpty()) {
              ignored.add(n);
            }
          } catch (XatmConfigException e) {
            ignored.add(n);
          }
        }
      }
      return ignored;
    }

    private static void positive(String key, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new XatmConfigException(key, d.toString(), "must be positive");
      }
    }
  }
}
