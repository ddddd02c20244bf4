package dev.xatm.tm.recovery;

import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.transaction.xa.XAResource;

/**
 * A RecoveryConnector for {@code fake:NAME} URLs: opens the registered {@link PreparedResource}
 * (resource id NAME, like {@code FakeXAResource#descriptor()}), unless the resource is down.
 * Records each open with the password it was given.
 */
public final class FakeConnector implements RecoveryConnector {
  private final Map<String, XAResource> resources = new ConcurrentHashMap<>();
  private final Set<String> down = ConcurrentHashMap.newKeySet();
  final List<String> opens = new ArrayList<>();

  public FakeConnector add(String name, XAResource r) {
    resources.put(name, r);
    return this;
  }

  public void down(String name, boolean isDown) {
    if (isDown) {
      down.add(name);
    } else {
      down.remove(name);
    }
  }

  synchronized List<String> opens() {
    return List.copyOf(opens);
  }

  synchronized long opensOf(String name) {
    return opens.stream().filter(o -> o.startsWith(name + " ")).count();
  }

  @Override
  public boolean accepts(String url) {
    return url.startsWith("fake:");
  }

  @Override
  public ResourceDescriptor describe(String url, String user) {
    return new ResourceDescriptor(url.substring("fake:".length()), url, user);
  }

  @Override
  public RecoverySession open(ResourceDescriptor resource, String password)
      throws ResourceUnavailableException {
    String name = resource.url().substring("fake:".length());
    synchronized (this) {
      opens.add(name + " password=" + password);
    }
    if (down.contains(name)) {
      throw new ResourceUnavailableException("connection refused by " + name, null);
    }
    XAResource r = resources.get(name);
    if (r == null) {
      throw new ResourceUnavailableException("no such fake resource " + name, null);
    }
    return new RecoverySession() {
      @Override
      public XAResource xaResource() {
        return r;
      }

      @Override
      public void close() {}
    };
  }
}
