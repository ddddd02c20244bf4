package dev.xatm.tm;

import dev.xatm.config.Setting;
import dev.xatm.config.SettingsTable;
import dev.xatm.tm.recovery.RecoveryConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings table of the transaction manager and its recovery (issue 12): every {@code xatm.*}
 * key {@link XatmConfig} and {@link dev.xatm.tm.recovery.RecoveryConfig} read, with its type,
 * default and doc. Parsing, the builder's defaults, the {@code XATM_*} names and the README's
 * configuration table come from here (a test compares the README with {@link
 * SettingsTable#markdown()}).
 *
 * <p>Not settings, and ignored: {@code xatm.config} (the file to read), {@code xatm.seed} and
 * {@code xatm.it.*} (xatm's own test suites), {@code XATM_IT_*}, {@code XATM_JMX_PASSWORD} (the
 * CLI's). Pool settings ({@code xatm.pool.*}) belong to a DataSource and fail here.
 */
public final class XatmSettings {
  private XatmSettings() {}

  private static final SettingsTable.Errors ERRORS =
      new SettingsTable.Errors() {
        @Override
        public RuntimeException invalid(String key, String value, String reason) {
          return new XatmConfigException(key, value, reason);
        }

        @Override
        public RuntimeException unknown(String key, String reason) {
          return XatmConfigException.unknownKey(key, reason);
        }
      };

  /** This node's identity, embedded in every Xid; default the log directory's, or generated. */
  public static final Setting<String> NODE_ID =
      Setting.string(
              XatmConfig.NODE_ID,
              null,
              "this node's identity, embedded in every Xid (1–32 printable ASCII bytes). A log"
                  + " directory remembers its node id; starting it with another fails, naming"
                  + " both. Every process needs its own node id; as a safety net every Xid also"
                  + " carries its log's identity, so a second process misconfigured with the same"
                  + " node id never touches the first one's branches (reported as"
                  + " `NODE_ID_CLASH`, docs/tm-protocol.md)")
          .defaultText("the log directory's, or generated");

  /** The write-ahead log directory; default {@code xatm-log}. */
  public static final Setting<Path> LOG_DIR =
      Setting.path(
          XatmConfig.LOG_DIR,
          Path.of("xatm-log"),
          "the write-ahead log directory (local or block storage; one process at a time,"
              + " enforced by a lock)");

  /** The segment file size, 64 KiB to 2 GiB; default 16 MiB. */
  public static final Setting<Long> LOG_SEGMENT_SIZE =
      Setting.size(
          XatmConfig.LOG_SEGMENT_SIZE,
          16L << 20,
          "segment file size (64 KiB – 2 GiB); bounds a log record to a quarter of it (at most 1"
              + " MiB). Changing it later is safe: existing segments are read with the limit they"
              + " were written with");

  /** {@code fsync} (the default) or {@code no-fsync-unsafe-for-tests-only}. */
  public static final Setting<String> LOG_DURABILITY =
      Setting.choice(
          XatmConfig.LOG_DURABILITY,
          "fsync",
          "`no-fsync-unsafe-for-tests-only` skips fsync (loses commits on power loss; warns"
              + " loudly)",
          "fsync",
          "no-fsync-unsafe-for-tests-only");

  /** The operator override that opens a damaged log (docs/recovery.md); default false. */
  public static final Setting<Boolean> LOG_OPEN_DAMAGED =
      Setting.bool(
          XatmConfig.LOG_OPEN_DAMAGED,
          false,
          "operator override (\"damaged mode\", docs/recovery.md): open a log with damage beyond a"
              + " torn tail, records lost behind a checkpoint, or a prepared Xid proving lost"
              + " records; recovery commits what is decided and keeps everything else in doubt,"
              + " durably, until an operator resolves it");

  /** The hard cap on the log directory's size; default 32 segments, {@code 0} no cap. */
  public static final Setting<Long> LOG_MAX_SIZE =
      Setting.size(
              XatmConfig.LOG_MAX_SIZE,
              null,
              "hard cap on the log directory: past it, new transactions are refused with a"
                  + " message naming what pins the log; `0` = no cap, else at least 4 segments")
          .defaultText("32 segments");

  /** Where each segment is copied before it is deleted; default unset. */
  public static final Setting<Path> ARCHIVE_DIR =
      Setting.path(XatmConfig.ARCHIVE_DIR, null, "copy each segment there before it is deleted")
          .defaultText("unset");

  /** The cap on the archive's size; default {@code 0}, unlimited. */
  public static final Setting<Long> ARCHIVE_MAX_SIZE =
      Setting.size(XatmConfig.ARCHIVE_MAX_SIZE, 0L, "cap on the archive's size; `0` = unlimited");

  /** Whether checkpoints run, so old segments are deleted; default true. */
  public static final Setting<Boolean> CHECKPOINT_ENABLED =
      Setting.bool(
          XatmConfig.CHECKPOINT_ENABLED,
          true,
          "checkpoints of the TM state, so old segments are deleted; also taken at each start"
              + " (after recovery) and clean close, so short-lived processes do not pile up"
              + " segments (docs/snapshots.md)");

  /** Checkpoint after this long; default 60 s, {@code 0} never by time. */
  public static final Setting<Duration> CHECKPOINT_INTERVAL =
      Setting.duration(
          XatmConfig.CHECKPOINT_INTERVAL,
          Duration.ofSeconds(60),
          "checkpoint after this long; `0` = never by time");

  /** Checkpoint after this many bytes were logged; default 2 segments, {@code 0} never by size. */
  public static final Setting<Long> CHECKPOINT_BYTES =
      Setting.size(
              XatmConfig.CHECKPOINT_BYTES,
              null,
              "checkpoint after this many bytes were logged; `0` = never by size")
          .defaultText("2 segments");

  /** Whether to checkpoint when the log moves to a new segment; default true. */
  public static final Setting<Boolean> CHECKPOINT_ON_ROTATION =
      Setting.bool(
          XatmConfig.CHECKPOINT_ON_ROTATION,
          true,
          "checkpoint when the log moves to a new segment");

  /** The transaction timeout; default 60 s, positive. */
  public static final Setting<Duration> DEFAULT_TIMEOUT =
      Setting.duration(
              XatmConfig.DEFAULT_TIMEOUT,
              Duration.ofSeconds(60),
              "transaction timeout; the reaper rolls back expired transactions")
          .positive();

  /** How often the timeout reaper looks; default 1 s, positive. */
  public static final Setting<Duration> REAPER_INTERVAL =
      Setting.duration(
              XatmConfig.REAPER_INTERVAL, Duration.ofSeconds(1), "how often the reaper looks")
          .positive();

  /** Threads that prepare and commit the branches of a transaction in parallel; default 8. */
  public static final Setting<Integer> PARALLELISM =
      Setting.integer(
          XatmConfig.PARALLELISM,
          8,
          1,
          1024,
          "threads that prepare and commit the branches of a transaction in parallel (1–1024)");

  /**
   * First wait of the background retry of a commit that failed after the decision; default 100 ms.
   */
  public static final Setting<Duration> RETRY_INITIAL =
      Setting.duration(
              XatmConfig.RETRY_INITIAL,
              Duration.ofMillis(100),
              "first wait of the background retry of a branch whose commit failed after the"
                  + " decision")
          .positive();

  /** Longest wait between those commit retries; default 30 s. */
  public static final Setting<Duration> RETRY_MAX =
      Setting.duration(
              XatmConfig.RETRY_MAX, Duration.ofSeconds(30), "longest wait between those retries")
          .positive();

  /** Whether the TM installs itself as the JVM's default runtime; default true. */
  public static final Setting<Boolean> INSTALL_DEFAULT =
      Setting.bool(
          XatmConfig.INSTALL_DEFAULT,
          true,
          "publish this TM to `DriverManager` connections (`jdbc:xa:` without a DataSource)");

  /** Whether the metrics MXBean is published; default true. */
  public static final Setting<Boolean> JMX_ENABLED =
      Setting.bool(
          XatmConfig.JMX_ENABLED,
          true,
          "publish the metrics as the MXBean `dev.xatm:type=TransactionManager,node=\"<id>\"`"
              + " (the node id is quoted, as `ObjectName.quote` writes it)");

  /** Whether the operator actions MXBean is published too; default false. */
  public static final Setting<Boolean> JMX_OPERATIONS =
      Setting.bool(
          XatmConfig.JMX_OPERATIONS,
          false,
          "also publish the operator actions (list/commit/rollback in-doubt Xids, list/clear"
              + " heuristics, run a recovery pass) as"
              + " `dev.xatm:type=TransactionManagerOperations,node=\"<id>\"`, for `xatm ..."
              + " --pid`/`--jmx` (docs/operations.md). Needs `xatm.jmx.enabled`; secure JMX"
              + " first");

  /** Whether one full recovery pass runs before {@code start} returns; default true. */
  public static final Setting<Boolean> RECOVERY_STARTUP =
      Setting.bool(RecoveryConfig.STARTUP, true, "one full recovery pass before `start` returns");

  /** The period of background recovery passes; default 60 s, {@code 0} none. */
  public static final Setting<Duration> RECOVERY_INTERVAL =
      Setting.duration(
          RecoveryConfig.INTERVAL,
          Duration.ofSeconds(60),
          "background recovery passes; `0` = none");

  /** First wait before retrying an unreachable resource; default 1 s. */
  public static final Setting<Duration> RECOVERY_BACKOFF_INITIAL =
      Setting.duration(
              RecoveryConfig.BACKOFF_INITIAL,
              Duration.ofSeconds(1),
              "first wait before retrying an unreachable resource")
          .positive();

  /** Longest wait before retrying an unreachable resource; default 5 min. */
  public static final Setting<Duration> RECOVERY_BACKOFF_MAX =
      Setting.duration(
              RecoveryConfig.BACKOFF_MAX,
              Duration.ofMinutes(5),
              "longest wait before retrying an unreachable resource")
          .positive();

  /**
   * What recovery does with prepared Xids of the previous layout that this log does not know:
   * {@code keep-in-doubt} (the default) or {@code presume-abort}.
   */
  public static final Setting<String> RECOVERY_LEGACY_XIDS =
      Setting.choice(
          RecoveryConfig.LEGACY_XIDS,
          "keep-in-doubt",
          "`presume-abort`: prepared Xids in the previous version's layout with no record in this"
              + " log are presumed aborted (only for epochs before the log's first new-layout"
              + " start; docs/recovery.md \"Upgrading from layout 1\")",
          "keep-in-doubt",
          "presume-abort");

  /**
   * Per resource: a resource to scan even if this log never saw it ({@code jdbc:xa:} URL, no
   * password in it).
   */
  public static final Setting<String> RESOURCE_URL =
      Setting.string(
          "xatm.recovery.resource.<name>.url",
          null,
          "a resource to scan even if this log never saw it (`jdbc:xa:…`, no password in it);"
              + " the name is letters, digits, `.`, `-`, `_`");

  /** Per resource: the user of {@link #RESOURCE_URL}. */
  public static final Setting<String> RESOURCE_USER =
      Setting.string("xatm.recovery.resource.<name>.user", null, "its user");

  /** Per resource: the password of {@link #RESOURCE_URL}; empty means no password. */
  public static final Setting<String> RESOURCE_PASSWORD =
      Setting.string(
          "xatm.recovery.resource.<name>.password",
          null,
          "its password; an empty `.password=` means \"no password\"");

  /** Per resource: the environment variable holding the password, read at start. */
  public static final Setting<String> RESOURCE_PASSWORD_ENV =
      Setting.string(
          "xatm.recovery.resource.<name>.password-env",
          null,
          "instead of `.password`: the environment variable holding it, read at start");

  /** The cluster mode's switch and lease table URL (docs/cluster.md). */
  public static final Setting<String> CLUSTER_URL =
      Setting.string(
          "xatm.cluster.url",
          null,
          "opt-in cluster mode (docs/cluster.md): the PostgreSQL JDBC URL of the lease table"
              + " (`jdbc:postgresql://host/db`); node ids are held on leases there");

  /** The lease table's user. */
  public static final Setting<String> CLUSTER_USER =
      Setting.string("xatm.cluster.user", null, "the lease table's user");

  /** The lease table's password. */
  public static final Setting<String> CLUSTER_PASSWORD =
      Setting.string("xatm.cluster.password", null, "its password");

  /** The environment variable holding the lease table's password. */
  public static final Setting<String> CLUSTER_PASSWORD_ENV =
      Setting.string(
          "xatm.cluster.password-env",
          null,
          "instead of `.password`: the environment variable holding it, read at start");

  /** How long one renewal holds a node id's lease. */
  public static final Setting<Duration> CLUSTER_LEASE_DURATION =
      Setting.duration(
          "xatm.cluster.lease-duration",
          Duration.ofSeconds(30),
          "how long one renewal holds the node id's lease, by the database's clock");

  /** How often the holder renews its lease. */
  public static final Setting<Duration> CLUSTER_RENEW_INTERVAL =
      Setting.duration(
          "xatm.cluster.renew-interval", Duration.ofSeconds(5), "how often the holder renews it");

  /** How long before its lease can expire a holder stops deciding. */
  public static final Setting<Duration> CLUSTER_FENCE_MARGIN =
      Setting.duration(
          "xatm.cluster.fence-margin",
          Duration.ofSeconds(10),
          "the holder stops deciding this long before its lease can expire, when renewals fail");

  /** A pool of node ids a node with a new log takes its id from. */
  public static final Setting<String> CLUSTER_NODE_IDS =
      Setting.string(
          "xatm.cluster.node-ids",
          null,
          "a pool of node ids (app-1..app-8, or a,b,c): a node whose log directory is new takes"
              + " the first free one, instead of xatm.node-id");

  /** The table: every setting above, in README order, and the unknown-key policy. */
  public static final SettingsTable TABLE =
      SettingsTable.builder("xatm.", ERRORS)
          .add(NODE_ID, LOG_DIR, LOG_SEGMENT_SIZE, LOG_DURABILITY, LOG_OPEN_DAMAGED)
          .add(LOG_MAX_SIZE, ARCHIVE_DIR, ARCHIVE_MAX_SIZE)
          .add(CHECKPOINT_ENABLED, CHECKPOINT_INTERVAL, CHECKPOINT_BYTES, CHECKPOINT_ON_ROTATION)
          .add(DEFAULT_TIMEOUT, REAPER_INTERVAL, PARALLELISM, RETRY_INITIAL, RETRY_MAX)
          .add(INSTALL_DEFAULT, JMX_ENABLED, JMX_OPERATIONS)
          .add(RECOVERY_STARTUP, RECOVERY_INTERVAL, RECOVERY_BACKOFF_INITIAL, RECOVERY_BACKOFF_MAX)
          .add(RECOVERY_LEGACY_XIDS)
          .add(RESOURCE_URL, RESOURCE_USER, RESOURCE_PASSWORD, RESOURCE_PASSWORD_ENV)
          .add(CLUSTER_URL, CLUSTER_USER, CLUSTER_PASSWORD, CLUSTER_PASSWORD_ENV)
          .add(CLUSTER_LEASE_DURATION, CLUSTER_RENEW_INTERVAL, CLUSTER_FENCE_MARGIN)
          .add(CLUSTER_NODE_IDS)
          .reserveKey(XatmConfig.CONFIG_FILE_PROPERTY)
          .reserveKey("xatm.seed")
          .reserveKey("xatm.it.")
          .reserveEnv("XATM_CONFIG")
          .reserveEnv("XATM_IT_")
          .reserveEnv("XATM_JMX_PASSWORD")
          .elsewhere(
              "xatm.pool.",
              "pool settings belong to one DataSource: put them in its jdbc:xa: URL"
                  + " (?xatm.pool.max-size=20) or its properties (docs/jdbc-driver.md)")
          .elsewhere(
              "xatm.datasources.",
              "DataSources are declared this way only with the Spring Boot starter")
          .elsewhere("xatm.spring.", "a setting of the Spring Boot starter, read only there")
          .build();
}
