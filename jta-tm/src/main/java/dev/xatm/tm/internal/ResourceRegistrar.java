package dev.xatm.tm.internal;

import dev.xatm.tm.log.LogView;
import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Writes {@code ResourceRegistered} (forced) the first time this node prepares a branch on a
 * resource, and never again while the descriptor stays the same. Which resources are registered is
 * the log's to say ({@link LogView#resources()}); this class keeps only the registrations in
 * flight, so concurrent first uses of one resource write one record and the others wait for it to
 * be durable.
 *
 * <p>Why the in-flight entry is checked after the view: the view shows a descriptor as soon as its
 * record is handed to the log, before the fsync. The writer puts its in-flight entry before it
 * appends and removes it only once the record is durable, so "in the view and not in flight" means
 * durable (or replayed from the log at start).
 *
 * <p>Thread-safe.
 */
public final class ResourceRegistrar {
  private final TxLog log;
  private final Map<String, CompletableFuture<Boolean>> inFlight = new ConcurrentHashMap<>();

  public ResourceRegistrar(TxLog log) {
    this.log = log;
  }

  /** Returns once the descriptor is durable in the log. */
  public void ensureRegistered(ResourceDescriptor d) throws TxLogException {
    String id = d.resourceId();
    while (true) {
      boolean inView = d.equals(log.view().resources().get(id));
      CompletableFuture<Boolean> running = inFlight.get(id);
      if (running != null) {
        if (!await(running)) {
          // Kept in flight for good: its record may be in the view without being durable.
          throw new TxLogException(
              "the ResourceRegistered record of " + id + " was not made durable in this process");
        }
        continue; // look again: it may have written another descriptor
      }
      if (inView) {
        return;
      }
      CompletableFuture<Boolean> mine = new CompletableFuture<>();
      if (inFlight.putIfAbsent(id, mine) != null) {
        continue;
      }
      try {
        // Same id, new recipe (e.g. changed URL): the latest descriptor wins in the log.
        if (!d.equals(log.view().resources().get(id))) {
          log.logResourceRegistered(d);
        }
      } catch (TxLogException | RuntimeException e) {
        mine.complete(false); // stays in flight: the log has failed (fail-stop)
        throw e;
      }
      inFlight.remove(id, mine);
      mine.complete(true);
      return;
    }
  }

  private static boolean await(CompletableFuture<Boolean> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          return false;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
