package dev.xatm.tm.recovery;

import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.InMemoryTxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.log.TxRecord;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.testing.Journal;
import dev.xatm.tm.testing.ManualClock;
import dev.xatm.tm.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A transaction manager on an {@link InMemoryTxLog} (node {@code n1}), a manual clock and
 * scheduler, an inline phase executor (branches run in a fixed order), and {@link
 * PreparedResource}s reachable through a {@link FakeConnector}. {@link #restart()} simulates a new
 * process on the same log and resources.
 */
final class Rig implements AutoCloseable {
  static final String NODE = "n1";
  final Journal journal = new Journal();
  final ManualClock clock = new ManualClock(1_000_000L);
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final FakeConnector connector = new FakeConnector();
  final Map<String, PreparedResource> resources = new LinkedHashMap<>();
  final Map<String, String> props = new LinkedHashMap<>();
  final Map<String, String> env = new LinkedHashMap<>();
  Failpoints failpoints = new Failpoints();

  /** Background retry back-off (initial = max), or null for the default. */
  Duration retryBackoff;

  /** The identity of a rig's log, and the incarnation of the "earlier process" of epoch 1. */
  static final long LOG_ID = 0x10c1d0000000001L;

  static final int EARLIER_INCARNATION = 0x0e0e0e0e;
  InMemoryTxLog log;
  XatmTransactionManager tm;

  Rig() {
    this(LOG_ID);
  }

  /** A rig whose log has another identity (another process with the same node id). */
  /** Wraps the log handed to the TM (counting calls, say); the identity by default. */
  java.util.function.UnaryOperator<dev.xatm.tm.log.TxLog> wrapLog = l -> l;

  Rig(long logId) {
    log = new InMemoryTxLog(NODE, logId);
    log.observe(r -> journal.add("log." + r.getClass().getSimpleName()));
  }

  /** A resource reachable through the connector and configured with user/password. */
  PreparedResource resource(String name) {
    PreparedResource r = new PreparedResource(name, journal);
    resources.put(name, r);
    connector.add(name, r);
    props.put("xatm.recovery.resource." + name + ".url", "fake:" + name);
    props.put("xatm.recovery.resource." + name + ".user", "user");
    props.put("xatm.recovery.resource." + name + ".password", "secret-" + name);
    return r;
  }

  Rig set(String key, String value) {
    props.put(key, value);
    return this;
  }

  /** Adjusts the configuration of every start (JMX settings, say); the identity by default. */
  java.util.function.UnaryOperator<XatmConfig.Builder> configure = b -> b;

  XatmTransactionManager start() {
    XatmConfig.Builder cb = configure.apply(XatmConfig.builder().nodeId(NODE));
    if (retryBackoff != null) {
      cb.retryInitialBackoff(retryBackoff).retryMaxBackoff(retryBackoff);
    }
    props.forEach(cb::recovery);
    tm =
        XatmTransactionManager.builder(cb.build())
            .txLog(wrapLog.apply(log))
            .clock(clock)
            .scheduler(scheduler)
            .xaExecutor(Runnable::run) // background XA work inline: the test drives time
            .phaseExecutor(new Inline())
            .failpoints(failpoints)
            .installAsDefault(false)
            .environment(env)
            .recoveryConnectors(List.of(connector))
            .start();
    return tm;
  }

  /** A new process on the same log and resources (the old one is closed). */
  XatmTransactionManager restart() throws Exception {
    if (tm != null) {
      tm.close();
    }
    log.reopen();
    failpoints = new Failpoints();
    return start();
  }

  /** A new process on a copy of the log as it is now; the old TM is abandoned (crashed). */
  XatmTransactionManager crashAndRestart() throws Exception {
    InMemoryTxLog copy = new InMemoryTxLog(NODE, log.logId());
    copy.observe(r -> journal.add("log." + r.getClass().getSimpleName()));
    for (TxRecord r : log.records()) {
      append(copy, r);
    }
    log = copy;
    failpoints = new Failpoints();
    return start();
  }

  /** Makes a resource of another rig reachable and configured here too (a shared database). */
  Rig share(PreparedResource r) {
    String name = r.descriptor().resourceId();
    resources.put(name, r);
    connector.add(name, r);
    props.put("xatm.recovery.resource." + name + ".url", "fake:" + name);
    props.put("xatm.recovery.resource." + name + ".user", "user");
    props.put("xatm.recovery.resource." + name + ".password", "secret-" + name);
    return this;
  }

  /**
   * The process crashes and its log keeps only its first {@code kept} records (the same log
   * identity: the newest records were lost, the segment header survived). Does not start.
   */
  void crashLosingRecordsAfter(int kept) throws Exception {
    InMemoryTxLog copy = new InMemoryTxLog(NODE, log.logId());
    copy.observe(r -> journal.add("log." + r.getClass().getSimpleName()));
    List<TxRecord> all = log.records();
    for (TxRecord r : all.subList(0, kept)) {
      append(copy, r);
    }
    log = copy;
    failpoints = new Failpoints();
    tm = null;
  }

  static void append(InMemoryTxLog l, TxRecord r) throws TxLogException {
    if (r instanceof TxRecord.EpochStarted e) {
      l.logEpoch(e.epoch(), e.incarnation(), e.startedAtMillis());
    } else if (r instanceof TxRecord.ResourceRegistered rr) {
      l.logResourceRegistered(rr.descriptor());
    } else if (r instanceof TxRecord.Begin b) {
      l.logBegin(b.gtrid(), b.branches(), b.deadlineMillis());
    } else if (r instanceof TxRecord.Committing c) {
      l.logCommitting(c.gtrid(), c.branches());
    } else if (r instanceof TxRecord.Heuristic h) {
      l.logHeuristic(h.gtrid(), h.branch(), h.outcome());
    } else if (r instanceof TxRecord.HeuristicCleared h) {
      l.logHeuristicCleared(h.gtrid(), h.branch());
    } else if (r instanceof TxRecord.DamageAccepted d) {
      l.logDamageAccepted(d.epoch(), d.what());
    } else if (r instanceof TxRecord.DamageCleared d) {
      l.logDamageCleared(d.epoch());
    } else if (r instanceof TxRecord.KeptInDoubt k) {
      l.logKeptInDoubt(k.gtrid(), k.reason());
    } else if (r instanceof TxRecord.End e) {
      l.logEnd(e.gtrid(), e.outcome());
    }
  }

  // ---- writing a log "left by an earlier process" before start ----

  /** Epoch 1 of an earlier process, with the resources registered. */
  Rig earlierProcess(String... resourceNames) throws TxLogException {
    log.logEpoch(1, EARLIER_INCARNATION, 1);
    for (String n : resourceNames) {
      log.logResourceRegistered(new ResourceDescriptor(n, "fake:" + n, "user"));
    }
    return this;
  }

  /** A gtrid of the rig's log from the earlier process (epoch 1 of {@link #earlierProcess}). */
  static Gtrid gtrid(long epoch, long seq) {
    return new Gtrid(NODE, LOG_ID, EARLIER_INCARNATION, epoch, seq);
  }

  static XatmXid xid(Gtrid g, int branch) {
    return new XatmXid(g, branch);
  }

  static Branch branch(String resource, int n) {
    return new Branch(resource, XatmXid.bqual(n));
  }

  /** Branch i+1 of g on resources[i]. */
  static List<Branch> branches(String... resources) {
    List<Branch> out = new ArrayList<>();
    for (int i = 0; i < resources.length; i++) {
      out.add(branch(resources[i], i + 1));
    }
    return out;
  }

  long count(String event) {
    return journal.count(event);
  }

  @Override
  public void close() throws Exception {
    if (tm != null) {
      tm.close();
    }
  }

  /** Runs submitted tasks on the submitting thread: a fixed branch order, no thread hops. */
  static final class Inline extends AbstractExecutorService {
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  static Duration seconds(long s) {
    return Duration.ofSeconds(s);
  }
}
