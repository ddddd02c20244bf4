package dev.xatm.bench.tm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/** Runs a transaction body on N threads for a warm-up and a measured period; returns tx/s. */
final class Load {
  /** One transaction; throws on failure (the run then fails loudly). */
  @FunctionalInterface
  interface Body {
    void run(int thread) throws Exception;
  }

  private Load() {}

  static double run(int threads, double warmupSeconds, double seconds, Body body) throws Exception {
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder done = new LongAdder();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch finished = new CountDownLatch(threads);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread w =
          new Thread(
              () -> {
                try {
                  while (!stop.get()) {
                    body.run(id);
                    if (measuring.get()) {
                      done.increment();
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                  stop.set(true);
                } finally {
                  finished.countDown();
                }
              },
              "load-" + t);
      w.start();
      workers.add(w);
    }
    Thread.sleep((long) (warmupSeconds * 1000)); // benchmark pacing, not synchronization
    long t0 = System.nanoTime();
    measuring.set(true);
    Thread.sleep((long) (seconds * 1000));
    measuring.set(false);
    long elapsed = System.nanoTime() - t0;
    long count = done.sum();
    stop.set(true);
    finished.await();
    if (failure.get() != null) {
      throw new IllegalStateException("benchmark transaction failed", failure.get());
    }
    return count / (elapsed / 1e9);
  }
}
