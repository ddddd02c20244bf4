package dev.xatm.spring.boot;

import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.recovery.RecoveryReport;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.function.Supplier;
import org.springframework.context.SmartLifecycle;

/**
 * The startup recovery pass and the end of the TM's background work, tied to the application
 * context's lifecycle.
 *
 * <ul>
 *   <li>{@link StartupRecoveryMode#BLOCKING}: the pass already ran inside {@code
 *       XatmTransactionManager.start}; this bean only reports it finished.
 *   <li>{@link StartupRecoveryMode#BACKGROUND}: {@link #start()} runs the pass on a thread of its
 *       own; {@link #state()} is {@link State#RUNNING} until it returns.
 *   <li>{@link #stop()} (the context is closing, before any bean is destroyed) stops the TM's
 *       background recovery passes and commit retries, waiting for a pass in progress, so none runs
 *       after the DataSources close; the TM itself is closed after them (they depend on it).
 * </ul>
 *
 * <p>Its phase is close to {@link Integer#MIN_VALUE}: it starts before and stops after every
 * ordinary lifecycle bean (web server, listeners, schedulers), so transactions those still run
 * while stopping keep their retries.
 *
 * <p>Thread-safe: the state is volatile; start and stop are called by the context's thread.
 */
public final class XatmStartupRecovery implements SmartLifecycle {
  /** Lifecycle phase; lower phases start first and stop last. */
  public static final int PHASE = Integer.MIN_VALUE + 1000;

  private static final System.Logger LOG = System.getLogger(XatmStartupRecovery.class.getName());

  /** Where the startup pass stands. */
  public enum State {
    /** Background mode, before the context started. */
    PENDING,
    /** Background mode: the pass is running. */
    RUNNING,
    /** The pass finished (its report may still list unresolved Xids). */
    FINISHED,
    /** The pass threw; the TM's background passes will try again. */
    FAILED,
    /** {@code xatm.recovery.startup=false}: there is no startup pass. */
    DISABLED
  }

  private final XatmTransactionManager tm;
  private final StartupRecoveryMode mode;
  private final Supplier<RecoveryReport> pass;
  private volatile State state;
  private volatile RuntimeException failure;
  private volatile RecoveryReport report;
  private volatile boolean running;
  private volatile Thread worker;

  /**
   * Creates the bean. In blocking mode the pass has already run, so the state starts as {@link
   * State#FINISHED} with the TM's last report.
   *
   * @param tm the started transaction manager
   * @param mode when the startup pass runs
   * @param startupPass whether a startup pass is configured at all ({@code xatm.recovery.startup})
   */
  public XatmStartupRecovery(
      XatmTransactionManager tm, StartupRecoveryMode mode, boolean startupPass) {
    this(tm, mode, startupPass, () -> tm.recovery().runPass());
  }

  /**
   * Creates the bean with the function that runs the background startup pass.
   *
   * @param tm the started transaction manager
   * @param mode when the startup pass runs
   * @param startupPass whether a startup pass is configured at all ({@code xatm.recovery.startup})
   * @param pass runs the background startup pass ({@code tm.recovery().runPass()}; a test gives one
   *     that fails)
   */
  public XatmStartupRecovery(
      XatmTransactionManager tm,
      StartupRecoveryMode mode,
      boolean startupPass,
      Supplier<RecoveryReport> pass) {
    this.tm = Objects.requireNonNull(tm, "tm");
    this.mode = Objects.requireNonNull(mode, "mode");
    this.pass = Objects.requireNonNull(pass, "pass");
    if (!startupPass) {
      state = State.DISABLED;
    } else if (mode == StartupRecoveryMode.BLOCKING) {
      state = State.FINISHED;
      report = tm.recovery().lastReport();
    } else {
      state = State.PENDING;
    }
  }

  /** {@return where the startup pass stands} */
  public State state() {
    return state;
  }

  /**
   * {@return true once nothing about startup recovery is outstanding (finished, failed or
   * disabled)}
   */
  public boolean done() {
    State s = state;
    return s == State.FINISHED || s == State.FAILED || s == State.DISABLED;
  }

  /** {@return the startup pass's report, or {@code null} before it finished} */
  public RecoveryReport report() {
    return report;
  }

  /** {@return what the background startup pass threw, or {@code null}} */
  public RuntimeException failure() {
    return failure;
  }

  /** {@return when the startup pass runs} */
  public StartupRecoveryMode mode() {
    return mode;
  }

  /**
   * In background mode, starts the pass on a daemon thread; otherwise only marks the bean started.
   */
  @Override
  public void start() {
    running = true;
    if (state != State.PENDING) {
      return;
    }
    state = State.RUNNING;
    Thread t = new Thread(this::runPass, "xatm-startup-recovery");
    t.setDaemon(true);
    worker = t;
    t.start();
  }

  private void runPass() {
    try {
      report = pass.get();
      state = State.FINISHED;
      LOG.log(Level.INFO, "xatm startup recovery finished: " + report.summary());
    } catch (RuntimeException e) {
      failure = e;
      state = State.FAILED;
      LOG.log(Level.ERROR, "xatm startup recovery pass failed; background passes repeat it", e);
    }
  }

  /**
   * Stops the TM's background recovery passes and commit retries, waiting for a pass in progress,
   * and waits up to 10 s for the startup pass's thread. Restores the interrupt flag if interrupted
   * meanwhile.
   */
  @Override
  public void stop() {
    running = false;
    // Waits for a pass in progress (the startup one included) and prevents every later one.
    tm.stopBackgroundWork();
    Thread t = worker;
    if (t != null) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
