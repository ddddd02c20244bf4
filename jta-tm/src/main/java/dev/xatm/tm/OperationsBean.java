package dev.xatm.tm;

import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.InDoubtXid;
import dev.xatm.tm.recovery.RecoveryException;
import dev.xatm.tm.recovery.RecoveryInspection;
import dev.xatm.tm.recovery.RecoveryLine;
import dev.xatm.tm.recovery.RecoveryReport;
import dev.xatm.tm.recovery.RecoveryResult;
import dev.xatm.tm.recovery.RecoveryService;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Publishes one transaction manager's operator actions ({@link XatmOperationsMXBean}) when {@code
 * xatm.jmx.operations=true}; a thin adapter over {@link RecoveryService}. Exceptions leave it as
 * JDK types without causes, so a JMX client without xatm classes can read them.
 *
 * <p>Thread-safe (the recovery service serializes actions).
 */
final class OperationsBean implements XatmOperationsMXBean {
  private static final System.Logger LOG = System.getLogger(OperationsBean.class.getName());

  private final XatmTransactionManager tm;
  private final Clock clock;
  private final ObjectName name;

  private OperationsBean(XatmTransactionManager tm, Clock clock, ObjectName name) {
    this.tm = tm;
    this.clock = clock;
    this.name = name;
  }

  static ObjectName nameOf(String nodeId) throws JMException {
    return new ObjectName(
        "dev.xatm:type=TransactionManagerOperations,node=" + ObjectName.quote(nodeId));
  }

  /** Registers the bean; returns null (after a WARNING) if the server refuses it. */
  static OperationsBean register(XatmTransactionManager tm, Clock clock) {
    try {
      OperationsBean bean = new OperationsBean(tm, clock, nameOf(tm.nodeId()));
      ManagementFactory.getPlatformMBeanServer().registerMBean(bean, bean.name);
      LOG.log(
          System.Logger.Level.INFO,
          "xatm operator actions of node "
              + tm.nodeId()
              + " published over JMX as "
              + bean.name
              + " (xatm.jmx.operations=true): secure JMX (docs/operations.md)");
      return bean;
    } catch (JMException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "xatm operations of node " + tm.nodeId() + " not published over JMX: " + e.getMessage());
      return null;
    }
  }

  void unregister() {
    PlatformMBeans.unregister(name);
  }

  @Override
  public String getNodeId() {
    return tm.nodeId();
  }

  @Override
  public long getEpoch() {
    return tm.epoch();
  }

  @Override
  public InDoubt[] listInDoubt() {
    return call(
        () ->
            tm.recovery().inDoubt().stream()
                .map(this::inDoubt)
                .toArray(XatmOperationsMXBean.InDoubt[]::new));
  }

  private InDoubt inDoubt(InDoubtXid x) {
    long age = Math.max(0, Duration.between(x.firstSeen(), clock.instant()).toSeconds());
    return new InDoubt(
        x.xid(),
        x.resourceId(),
        x.logState().name(),
        x.result().name(),
        x.reason(),
        x.firstSeen().toString(),
        age);
  }

  @Override
  public Line commitInDoubt(String xid) {
    return call(() -> line(tm.recovery().commitInDoubt(xid)));
  }

  @Override
  public Line rollbackInDoubt(String xid) {
    return call(() -> line(tm.recovery().rollbackInDoubt(xid)));
  }

  @Override
  public Heuristic[] listHeuristics() {
    return call(
        () ->
            tm.recovery().unresolvedHeuristics().stream()
                .map(OperationsBean::heuristic)
                .toArray(XatmOperationsMXBean.Heuristic[]::new));
  }

  static Heuristic heuristic(LogState.HeuristicEntry h) {
    return new Heuristic(
        RecoveryInspection.heuristicXid(h),
        h.gtrid().toString(),
        h.branch().resourceId(),
        HexFormat.of().formatHex(h.branch().bqual()),
        h.outcome().name(),
        h.lsn());
  }

  @Override
  public int clearHeuristic(String xid) {
    return call(() -> tm.recovery().clearHeuristic(xid));
  }

  @Override
  public Line[] listForeign() {
    return call(
        () -> {
          RecoveryReport last = tm.recovery().lastReport();
          if (last == null) {
            return new Line[0];
          }
          return last.lines().stream()
              .filter(
                  l ->
                      l.result() == RecoveryResult.FOREIGN
                          || l.result() == RecoveryResult.NODE_ID_CLASH)
              .map(OperationsBean::line)
              .toArray(XatmOperationsMXBean.Line[]::new);
        });
  }

  @Override
  public Pass runRecoveryPass() {
    return call(
        () -> {
          RecoveryReport r = tm.recovery().runPass();
          return new Pass(
              r.nodeId(),
              r.startedAt().toString(),
              r.duration().toMillis(),
              r.unresolved(),
              r.summary(),
              r.lines().stream().map(OperationsBean::line).toArray(Line[]::new));
        });
  }

  private static Line line(RecoveryLine l) {
    return new Line(
        l.xid(),
        l.resourceId(),
        l.logState().name(),
        l.action().name(),
        l.result().name(),
        l.reason(),
        l.unresolved());
  }

  /**
   * Runs an action and turns xatm's exceptions into JDK ones with the same message: a client's
   * unmarshalling of an xatm class it does not have would hide the message.
   */
  private static <T> T call(Supplier<T> action) {
    try {
      return action.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage());
    } catch (IllegalStateException e) {
      throw new IllegalStateException(e.getMessage());
    } catch (RecoveryException e) {
      Throwable c = e.getCause();
      throw new RuntimeException(
          e.getMessage() + (c == null || c.getMessage() == null ? "" : ": " + c.getMessage()));
    } catch (RuntimeException e) {
      throw new RuntimeException(e.getClass().getName() + ": " + e.getMessage());
    }
  }
}
