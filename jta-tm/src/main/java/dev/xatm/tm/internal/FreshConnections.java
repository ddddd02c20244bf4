package dev.xatm.tm.internal;

import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.util.Optional;

/**
 * New sessions to a resource by its recipe (the logged or configured descriptor, with the
 * credentials recovery has for it), for the background retry: a branch whose connection died is
 * committed through a fresh one instead of the dead one (issue 10). Implemented by recovery.
 *
 * <p>Thread-safe implementations.
 */
@FunctionalInterface
public interface FreshConnections {
  /** None: every retry goes through the connection the branch was enlisted with. */
  FreshConnections NONE = resourceId -> Optional.empty();

  /**
   * A new session to the resource, which the caller closes; empty when there is no recipe or no
   * credentials for it (the caller then uses the enlisted connection).
   *
   * @throws ResourceUnavailableException the resource cannot be reached now
   */
  Optional<RecoverySession> open(String resourceId) throws ResourceUnavailableException;
}
