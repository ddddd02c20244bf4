package dev.xatm.tm.internal;

import dev.xatm.tm.log.TxLog;
import dev.xatm.tm.log.TxLogException;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Writes {@code ResourceRegistered} (forced) the first time this node prepares a branch on a
 * resource, and never again while the descriptor stays the same. Concurrent first uses of one
 * resource write one record; the others wait for it.
 *
 * <p>Thread-safe.
 */
public final class ResourceRegistrar {
  private final TxLog log;
  private final Map<String, CompletableFuture<ResourceDescriptor>> registered =
      new ConcurrentHashMap<>();

  /** Starts with the resources the log already holds. */
  public ResourceRegistrar(TxLog log, Map<String, ResourceDescriptor> known) {
    this.log = log;
    known.forEach((id, d) -> registered.put(id, CompletableFuture.completedFuture(d)));
  }

  /** Returns once the descriptor is durable in the log. */
  public void ensureRegistered(ResourceDescriptor d) throws TxLogException {
    while (true) {
      CompletableFuture<ResourceDescriptor> mine = new CompletableFuture<>();
      CompletableFuture<ResourceDescriptor> existing = registered.putIfAbsent(d.resourceId(), mine);
      if (existing == null) {
        write(d, mine);
        return;
      }
      ResourceDescriptor done = await(existing);
      if (done == null) {
        continue; // the writer failed and removed its entry; try ourselves
      }
      if (done.equals(d)) {
        return;
      }
      // Same id, new recipe (e.g. changed URL): the latest descriptor wins in the log.
      if (registered.replace(d.resourceId(), existing, mine)) {
        write(d, mine);
        return;
      }
    }
  }

  private void write(ResourceDescriptor d, CompletableFuture<ResourceDescriptor> mine)
      throws TxLogException {
    try {
      log.logResourceRegistered(d);
      mine.complete(d);
    } catch (TxLogException | RuntimeException e) {
      registered.remove(d.resourceId(), mine);
      mine.complete(null);
      throw e;
    }
  }

  private static ResourceDescriptor await(CompletableFuture<ResourceDescriptor> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          return null;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
