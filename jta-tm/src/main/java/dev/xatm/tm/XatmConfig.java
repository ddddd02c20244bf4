package dev.xatm.tm;

import dev.xatm.wal.Durability;
import dev.xatm.wal.NodeIds;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The immutable settings of one transaction manager.
 *
 * <pre>{@code
 * XatmConfig config = XatmConfig.builder().nodeId("orders-1").logDir(Path.of("/var/lib/xatm"))
 *     .defaultTimeout(Duration.ofSeconds(30)).build();
 * XatmConfig fromFiles = XatmConfig.load();  // xatm.properties / -Dxatm.config / XATM_* env
 * }</pre>
 *
 * <table>
 *   <caption>Properties (environment: upper case, '.' and '-' as '_', e.g. XATM_NODE_ID)</caption>
 *   <tr><td>xatm.node-id</td><td>unset: adopt the log directory's (or generate one)</td></tr>
 *   <tr><td>xatm.log.dir</td><td>xatm-log</td></tr>
 *   <tr><td>xatm.log.segment-size</td><td>16MiB (64KiB..2GiB)</td></tr>
 *   <tr><td>xatm.log.durability</td><td>fsync | no-fsync-unsafe-for-tests-only</td></tr>
 *   <tr><td>xatm.log.open-damaged</td><td>false; true = operator override (docs/recovery.md)</td></tr>
 *   <tr><td>xatm.transaction.default-timeout</td><td>60s</td></tr>
 *   <tr><td>xatm.transaction.reaper-interval</td><td>1s</td></tr>
 *   <tr><td>xatm.parallelism</td><td>8: threads for phase 1 / phase 2 of several branches</td></tr>
 *   <tr><td>xatm.commit-retry.initial-backoff / max-backoff</td><td>100ms / 30s</td></tr>
 *   <tr><td>xatm.runtime.install-default</td><td>true: publish via XatmRuntimes</td></tr>
 *   <tr><td>xatm.jmx.enabled</td><td>true: publish XatmMetricsMXBean</td></tr>
 *   <tr><td>xatm.jmx.operations</td><td>false; true = also publish XatmOperationsMXBean</td></tr>
 *   <tr><td>xatm.checkpoint.enabled</td><td>true: checkpoints and segment GC (docs/snapshots.md)</td></tr>
 *   <tr><td>xatm.checkpoint.interval</td><td>60s; 0 = never by time</td></tr>
 *   <tr><td>xatm.checkpoint.bytes</td><td>2 segments; 0 = never by size</td></tr>
 *   <tr><td>xatm.checkpoint.on-rotation</td><td>true</td></tr>
 *   <tr><td>xatm.log.max-size</td><td>32 segments; 0 = no cap; else at least 4 segments</td></tr>
 *   <tr><td>xatm.log.archive.dir</td><td>unset: deleted segments are not archived</td></tr>
 *   <tr><td>xatm.log.archive.max-size</td><td>0 = unlimited</td></tr>
 *   <tr><td>xatm.recovery.*</td><td>kept as given for recovery (see {@link #recovery()})</td></tr>
 * </table>
 *
 * <p>Durations: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or a plain number of seconds.
 * Sizes: bytes, or with {@code KiB}/{@code MiB}/{@code GiB} (also {@code K}, {@code M}, {@code G}).
 */
public final class XatmConfig {
  public static final String NODE_ID = "xatm.node-id";
  public static final String LOG_DIR = "xatm.log.dir";
  public static final String LOG_SEGMENT_SIZE = "xatm.log.segment-size";
  public static final String LOG_DURABILITY = "xatm.log.durability";
  public static final String LOG_OPEN_DAMAGED = "xatm.log.open-damaged";
  public static final String DEFAULT_TIMEOUT = "xatm.transaction.default-timeout";
  public static final String REAPER_INTERVAL = "xatm.transaction.reaper-interval";
  public static final String PARALLELISM = "xatm.parallelism";
  public static final String RETRY_INITIAL = "xatm.commit-retry.initial-backoff";
  public static final String RETRY_MAX = "xatm.commit-retry.max-backoff";
  public static final String INSTALL_DEFAULT = "xatm.runtime.install-default";
  public static final String JMX_ENABLED = "xatm.jmx.enabled";
  public static final String JMX_OPERATIONS = "xatm.jmx.operations";
  private static final String JMX_PREFIX = "xatm.jmx.";
  public static final String RECOVERY_PREFIX = "xatm.recovery.";
  public static final String CHECKPOINT_ENABLED = "xatm.checkpoint.enabled";
  public static final String CHECKPOINT_INTERVAL = "xatm.checkpoint.interval";
  public static final String CHECKPOINT_BYTES = "xatm.checkpoint.bytes";
  public static final String CHECKPOINT_ON_ROTATION = "xatm.checkpoint.on-rotation";
  public static final String LOG_MAX_SIZE = "xatm.log.max-size";
  public static final String ARCHIVE_DIR = "xatm.log.archive.dir";
  public static final String ARCHIVE_MAX_SIZE = "xatm.log.archive.max-size";

  /** System property naming a properties file to load instead of classpath xatm.properties. */
  public static final String CONFIG_FILE_PROPERTY = "xatm.config";

  private static final System.Logger LOG = System.getLogger(XatmConfig.class.getName());
  private static final String[] KEYS = {
    NODE_ID,
    LOG_DIR,
    LOG_SEGMENT_SIZE,
    LOG_DURABILITY,
    LOG_OPEN_DAMAGED,
    DEFAULT_TIMEOUT,
    REAPER_INTERVAL,
    PARALLELISM,
    RETRY_INITIAL,
    RETRY_MAX,
    INSTALL_DEFAULT,
    JMX_ENABLED,
    JMX_OPERATIONS,
    CHECKPOINT_ENABLED,
    CHECKPOINT_INTERVAL,
    CHECKPOINT_BYTES,
    CHECKPOINT_ON_ROTATION,
    LOG_MAX_SIZE,
    ARCHIVE_DIR,
    ARCHIVE_MAX_SIZE
  };

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
    snapshots = b.snapshots();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Loads from the process: system properties and environment are read now, not earlier. */
  public static XatmConfig load() {
    Map<String, String> sys = new LinkedHashMap<>();
    System.getProperties().forEach((k, v) -> sys.put(String.valueOf(k), String.valueOf(v)));
    return load(sys, System.getenv(), Thread.currentThread().getContextClassLoader());
  }

  /**
   * Loads settings: the file named by system property {@code xatm.config} or else {@code
   * xatm.properties} on the class path (if any), then {@code XATM_*} environment variables
   * override.
   */
  public static XatmConfig load(
      Map<String, String> systemProperties, Map<String, String> environment, ClassLoader loader) {
    Map<String, String> props = new LinkedHashMap<>();
    String file = systemProperties.get(CONFIG_FILE_PROPERTY);
    if (file != null) {
      readFile(file, props);
    } else if (loader != null) {
      try (InputStream in = loader.getResourceAsStream("xatm.properties")) {
        if (in != null) {
          read(in, props);
        }
      } catch (IOException e) {
        throw new XatmConfigException("reading xatm.properties from the class path failed", e);
      }
    }
    props.putAll(fromEnvironment(environment));
    return fromProperties(props);
  }

  private static void readFile(String file, Map<String, String> props) {
    Path path;
    try {
      path = Path.of(file);
    } catch (InvalidPathException e) {
      throw new XatmConfigException(CONFIG_FILE_PROPERTY, file, "not a valid path");
    }
    if (!Files.isRegularFile(path)) {
      throw new XatmConfigException(CONFIG_FILE_PROPERTY, file, "no such file");
    }
    try (InputStream in = Files.newInputStream(path)) {
      read(in, props);
    } catch (IOException e) {
      throw new XatmConfigException(
          "reading " + file + " (" + CONFIG_FILE_PROPERTY + ") failed", e);
    }
  }

  private static void read(InputStream in, Map<String, String> into) throws IOException {
    Properties p = new Properties();
    try (Reader r = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    p.forEach((k, v) -> into.put(String.valueOf(k), String.valueOf(v).trim()));
  }

  /** Maps {@code XATM_*} variables to property names (known keys, then xatm.recovery.*). */
  static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> known = new LinkedHashMap<>();
    for (String key : KEYS) {
      known.put(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), key);
    }
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String name = e.getKey();
      if (!name.startsWith("XATM_")) {
        continue;
      }
      String key = known.get(name);
      if (key == null && name.startsWith("XATM_JMX_")) {
        throw unknownJmxKey(name);
      }
      if (key == null && name.startsWith("XATM_RECOVERY_")) {
        key = RECOVERY_PREFIX + name.substring(14).toLowerCase(Locale.ROOT).replace('_', '.');
      }
      if (key == null) {
        LOG.log(System.Logger.Level.WARNING, "ignoring unknown environment variable " + name);
        continue;
      }
      out.put(key, e.getValue().trim());
    }
    return out;
  }

  /** Builds from property names and values; unknown {@code xatm.*} names are warned about. */
  public static XatmConfig fromProperties(Map<String, String> props) {
    Builder b = builder();
    for (Map.Entry<String, String> e : props.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      switch (k) {
        case NODE_ID -> b.nodeId(v.isEmpty() ? null : v);
        case LOG_DIR -> b.logDir(path(k, v));
        case LOG_SEGMENT_SIZE -> b.segmentSize(ConfigValues.size(k, v));
        case LOG_DURABILITY -> b.durability(durability(k, v));
        case LOG_OPEN_DAMAGED -> b.logOpenDamaged(ConfigValues.bool(k, v));
        case DEFAULT_TIMEOUT -> b.defaultTimeout(ConfigValues.duration(k, v));
        case REAPER_INTERVAL -> b.reaperInterval(ConfigValues.duration(k, v));
        case PARALLELISM -> b.parallelism(ConfigValues.integer(k, v));
        case RETRY_INITIAL -> b.retryInitialBackoff(ConfigValues.duration(k, v));
        case RETRY_MAX -> b.retryMaxBackoff(ConfigValues.duration(k, v));
        case INSTALL_DEFAULT -> b.installAsDefault(ConfigValues.bool(k, v));
        case JMX_ENABLED -> b.jmxEnabled(ConfigValues.bool(k, v));
        case JMX_OPERATIONS -> b.jmxOperations(ConfigValues.bool(k, v));
        case CHECKPOINT_ENABLED -> b.checkpointsEnabled(ConfigValues.bool(k, v));
        case CHECKPOINT_INTERVAL -> b.checkpointInterval(ConfigValues.duration(k, v));
        case CHECKPOINT_BYTES -> b.checkpointBytes(ConfigValues.size(k, v));
        case CHECKPOINT_ON_ROTATION -> b.checkpointOnRotation(ConfigValues.bool(k, v));
        case LOG_MAX_SIZE -> b.logMaxSize(ConfigValues.size(k, v));
        case ARCHIVE_DIR -> b.archiveDir(v.isEmpty() ? null : path(k, v));
        case ARCHIVE_MAX_SIZE -> b.archiveMaxSize(ConfigValues.size(k, v));
        default -> {
          if (k.startsWith(RECOVERY_PREFIX)) {
            b.recovery(k, v);
          } else if (k.startsWith(JMX_PREFIX)) {
            // A misspelt switch of the management interface fails instead of silently leaving
            // the operations in a state the operator did not ask for.
            throw unknownJmxKey(k);
          } else if (k.startsWith("xatm.") && !k.equals(CONFIG_FILE_PROPERTY)) {
            LOG.log(System.Logger.Level.WARNING, "ignoring unknown setting " + k);
          }
        }
      }
    }
    try {
      return b.build();
    } catch (XatmConfigException e) {
      String raw = e.property() == null ? null : props.get(e.property());
      if (raw != null && !raw.equals(e.value())) {
        // Name the value as the user wrote it ("1KiB"), not as parsed ("1024").
        throw new XatmConfigException(e.property(), raw, e.reason());
      }
      throw e;
    }
  }

  private static XatmConfigException unknownJmxKey(String key) {
    return XatmConfigException.unknownKey(
        key,
        "unknown JMX setting (known: "
            + JMX_ENABLED
            + ", "
            + JMX_OPERATIONS
            + "; environment: XATM_JMX_ENABLED, XATM_JMX_OPERATIONS)");
  }

  private static Path path(String key, String value) {
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw new XatmConfigException(key, value, "not a valid path: " + e.getReason());
    }
  }

  private static Durability durability(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "fsync" -> Durability.FSYNC;
      case "no-fsync-unsafe-for-tests-only" -> Durability.NO_FSYNC_UNSAFE_FOR_TESTS_ONLY;
      default ->
          throw new XatmConfigException(
              key, value, "must be fsync or no-fsync-unsafe-for-tests-only");
    };
  }

  /** Checkpoint, log-size and archive settings (docs/snapshots.md). */
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

  /** The configured node id, or {@code null} to adopt the log directory's. */
  public String nodeId() {
    return nodeId;
  }

  public Path logDir() {
    return logDir;
  }

  public long segmentSize() {
    return segmentSize;
  }

  public Durability durability() {
    return durability;
  }

  public Duration defaultTimeout() {
    return defaultTimeout;
  }

  public Duration reaperInterval() {
    return reaperInterval;
  }

  public int parallelism() {
    return parallelism;
  }

  public Duration retryInitialBackoff() {
    return retryInitialBackoff;
  }

  public Duration retryMaxBackoff() {
    return retryMaxBackoff;
  }

  public boolean installAsDefault() {
    return installAsDefault;
  }

  /**
   * Operator override ("damaged mode", docs/recovery.md): open a log whose damage is more than a
   * torn tail, or whose checkpoint lies beyond its end; recovery then commits what is decided and
   * presumes nothing else, keeping it in doubt until an operator resolves it.
   */
  public boolean logOpenDamaged() {
    return logOpenDamaged;
  }

  /** Whether the TM publishes {@link XatmMetricsMXBean} on the platform MBean server. */
  public boolean jmxEnabled() {
    return jmxEnabled;
  }

  /**
   * Whether the TM also publishes {@link XatmOperationsMXBean} (list and resolve in-doubt Xids,
   * list and clear heuristics, run a recovery pass; docs/operations.md, "Online mode"). Off by
   * default: these operations change transaction outcomes. Needs {@link #jmxEnabled()}.
   */
  public boolean jmxOperations() {
    return jmxOperations;
  }

  /**
   * Every {@code xatm.recovery.*} setting as given (for example {@code
   * xatm.recovery.resource.bank.url}); recovery (issue 4) parses and validates them.
   */
  public Map<String, String> recovery() {
    return recovery;
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
    private String nodeId;
    private Path logDir = Path.of("xatm-log");
    private long segmentSize = 16L * 1024 * 1024;
    private Durability durability = Durability.FSYNC;
    private boolean logOpenDamaged;
    private Duration defaultTimeout = Duration.ofSeconds(60);
    private Duration reaperInterval = Duration.ofSeconds(1);
    private int parallelism = 8;
    private Duration retryInitialBackoff = Duration.ofMillis(100);
    private Duration retryMaxBackoff = Duration.ofSeconds(30);
    private boolean installAsDefault = true;
    private boolean jmxEnabled = true;
    private boolean jmxOperations;
    private final Map<String, String> recovery = new LinkedHashMap<>();
    private boolean checkpointsEnabled = true;
    private Duration checkpointInterval = Duration.ofSeconds(60);
    private Long checkpointBytes; // null: 2 segments
    private boolean checkpointOnRotation = true;
    private Long logMaxSize; // null: 32 segments
    private Path archiveDir;
    private long archiveMaxSize;

    private Builder() {}

    public Builder checkpointsEnabled(boolean enabled) {
      this.checkpointsEnabled = enabled;
      return this;
    }

    public Builder checkpointInterval(Duration interval) {
      this.checkpointInterval = Objects.requireNonNull(interval, CHECKPOINT_INTERVAL);
      return this;
    }

    public Builder checkpointBytes(long bytes) {
      this.checkpointBytes = bytes;
      return this;
    }

    public Builder checkpointOnRotation(boolean onRotation) {
      this.checkpointOnRotation = onRotation;
      return this;
    }

    public Builder logMaxSize(long bytes) {
      this.logMaxSize = bytes;
      return this;
    }

    public Builder archiveDir(Path dir) {
      this.archiveDir = dir;
      return this;
    }

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

    public Builder nodeId(String nodeId) {
      this.nodeId = nodeId;
      return this;
    }

    public Builder logDir(Path logDir) {
      this.logDir = Objects.requireNonNull(logDir, LOG_DIR);
      return this;
    }

    public Builder segmentSize(long segmentSize) {
      this.segmentSize = segmentSize;
      return this;
    }

    public Builder durability(Durability durability) {
      this.durability = Objects.requireNonNull(durability, LOG_DURABILITY);
      return this;
    }

    public Builder defaultTimeout(Duration defaultTimeout) {
      this.defaultTimeout = Objects.requireNonNull(defaultTimeout, DEFAULT_TIMEOUT);
      return this;
    }

    public Builder reaperInterval(Duration reaperInterval) {
      this.reaperInterval = Objects.requireNonNull(reaperInterval, REAPER_INTERVAL);
      return this;
    }

    public Builder parallelism(int parallelism) {
      this.parallelism = parallelism;
      return this;
    }

    public Builder retryInitialBackoff(Duration d) {
      this.retryInitialBackoff = Objects.requireNonNull(d, RETRY_INITIAL);
      return this;
    }

    public Builder retryMaxBackoff(Duration d) {
      this.retryMaxBackoff = Objects.requireNonNull(d, RETRY_MAX);
      return this;
    }

    public Builder jmxEnabled(boolean enabled) {
      this.jmxEnabled = enabled;
      return this;
    }

    /** See {@link XatmConfig#jmxOperations()}. */
    public Builder jmxOperations(boolean enabled) {
      this.jmxOperations = enabled;
      return this;
    }

    public Builder installAsDefault(boolean install) {
      this.installAsDefault = install;
      return this;
    }

    /** See {@link XatmConfig#logOpenDamaged()}. */
    public Builder logOpenDamaged(boolean openDamaged) {
      this.logOpenDamaged = openDamaged;
      return this;
    }

    /** A recovery setting, kept verbatim; {@code key} must start with {@code xatm.recovery.}. */
    public Builder recovery(String key, String value) {
      if (!key.startsWith(RECOVERY_PREFIX)) {
        throw XatmConfigException.unknownKey(key, "recovery keys start with " + RECOVERY_PREFIX);
      }
      recovery.put(key, Objects.requireNonNull(value, key));
      return this;
    }

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
      return new XatmConfig(this);
    }

    private static void positive(String key, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new XatmConfigException(key, d.toString(), "must be positive");
      }
    }
  }
}
