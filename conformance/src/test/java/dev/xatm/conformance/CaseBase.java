package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xatm.conformance.ScriptedXAResource.Capabilities;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;

/**
 * What every case class shares: opening the column's TM, the case's {@link CallLog}, fake resources
 * and synchronizations, running code on another thread, and the after-case checks (no XA protocol
 * violation against any fake; the TM released).
 *
 * <p>Threading: one case at a time per instance (JUnit creates one instance per case).
 */
abstract class CaseBase {
  /** The default timeout (seconds) of the TM when a case does not choose one. */
  static final int DEFAULT_TIMEOUT = 60;

  protected final CallLog log = new CallLog();
  private final List<TmUnderTest> opened = new ArrayList<>();
  private final List<ScriptedXAResource> resources = new ArrayList<>();
  private boolean violationsExpected;

  protected TmUnderTest open(Column c) {
    return open(c, DEFAULT_TIMEOUT);
  }

  protected TmUnderTest open(Column c, int defaultTimeoutSeconds) {
    TmUnderTest t = c.open(defaultTimeoutSeconds);
    opened.add(t);
    return t;
  }

  /** A resource that supports every XA flag. */
  protected ScriptedXAResource resource(String name) {
    return track(new ScriptedXAResource(name, log, Capabilities.FULL));
  }

  /** A resource that answers as pgjdbc does (no TMSUSPEND/TMRESUME, no foreign TMJOIN). */
  protected ScriptedXAResource pgjdbcLike(String name) {
    return track(new ScriptedXAResource(name, log, Capabilities.PGJDBC));
  }

  protected ScriptedXAResource track(ScriptedXAResource r) {
    resources.add(r);
    return r;
  }

  protected RecordingSync sync(String name) {
    return new RecordingSync(name, log);
  }

  /** The case checks protocol violations itself (it provokes one on purpose). */
  protected void expectViolations() {
    violationsExpected = true;
  }

  /** Runs {@code body} on a new thread and returns its result (or rethrows what it threw). */
  protected static <T> T onOtherThread(Callable<T> body) throws Exception {
    FutureTask<T> task = new FutureTask<>(body);
    Thread t = new Thread(task, "conformance-other");
    t.start();
    try {
      return task.get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw e;
    } catch (TimeoutException e) {
      t.interrupt();
      throw e;
    } finally {
      t.join(30_000);
    }
  }

  /** A call whose outcome a case records. */
  @FunctionalInterface
  interface Call {
    Object call() throws Exception;
  }

  /**
   * {@code "returned X"}, or the simple name of the first java.* or jakarta.* class of what the
   * call threw (so a TM's own subclasses compare by their standard type).
   */
  static String outcome(Call call) {
    try {
      return "returned " + call.call();
    } catch (Exception e) {
      Class<?> k = e.getClass();
      while (!k.getName().startsWith("java.") && !k.getName().startsWith("jakarta.")) {
        k = k.getSuperclass();
      }
      return k.getSimpleName();
    }
  }

  @AfterEach
  void afterCase() {
    try {
      if (!violationsExpected) {
        for (ScriptedXAResource r : resources) {
          assertEquals(List.of(), r.violations(), "XA protocol violations against " + r.name());
        }
      }
    } finally {
      for (int i = opened.size() - 1; i >= 0; i--) {
        opened.get(i).close();
      }
    }
  }
}
