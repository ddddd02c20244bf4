package dev.xatm.tm.internal;

import dev.xatm.tm.Failpoints;
import dev.xatm.tm.Scheduler;
import dev.xatm.tm.log.TxLog;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * The collaborators one transaction manager instance shares with its transactions. Immutable after
 * construction except for the coordinator, which is set once while wiring.
 */
public final class TmContext {
  private final TxLog log;
  private final Clock clock;
  private final Executor phaseExecutor;
  private final Scheduler scheduler;
  private final XaWorkers xa;
  private final Failpoints failpoints;
  private final FailStop failStop = new FailStop();
  private final TxCounters counters = new TxCounters();
  private final ResourceRegistrar registrar;
  private final BranchRetrier retrier;
  private final Coordinator coordinator;
  private final DecisionGate decisionGate;

  public TmContext(
      TxLog log,
      Clock clock,
      Executor phaseExecutor,
      Scheduler scheduler,
      XaWorkers xa,
      Failpoints failpoints,
      ResourceRegistrar registrar,
      Duration retryInitial,
      Duration retryMax,
      DecisionGate decisionGate) {
    this.decisionGate = decisionGate;
    this.log = log;
    this.clock = clock;
    this.phaseExecutor = phaseExecutor;
    this.scheduler = scheduler;
    this.xa = xa;
    this.failpoints = failpoints;
    this.registrar = registrar;
    this.retrier = new BranchRetrier(this, retryInitial, retryMax);
    this.coordinator = new Coordinator(this);
  }

  /** Runs blocking background XA work, never on the scheduler. */
  public XaWorkers xa() {
    return xa;
  }

  public TxLog log() {
    return log;
  }

  public Clock clock() {
    return clock;
  }

  public Executor phaseExecutor() {
    return phaseExecutor;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public Failpoints failpoints() {
    return failpoints;
  }

  public FailStop failStop() {
    return failStop;
  }

  public TxCounters counters() {
    return counters;
  }

  public ResourceRegistrar registrar() {
    return registrar;
  }

  public BranchRetrier retrier() {
    return retrier;
  }

  public Coordinator coordinator() {
    return coordinator;
  }

  /** Asked before every commit decision; {@link DecisionGate#OPEN} without a cluster. */
  public DecisionGate decisionGate() {
    return decisionGate;
  }
}
