package dev.xatm.tm.spi;

/**
 * Opens an XAResource for recovery from a resource URL and credentials. Implementations are found
 * with {@link java.util.ServiceLoader}; the JDBC driver provides one for {@code jdbc:xa:} URLs.
 */
public interface RecoveryConnector {

  /** True when this connector understands the URL. */
  boolean accepts(String url);

  /**
   * Connects to the resource.
   *
   * @param password the password, or {@code null} when none is configured
   * @throws ResourceUnavailableException the resource cannot be reached now (recovery retries)
   */
  RecoverySession open(ResourceDescriptor resource, String password)
      throws ResourceUnavailableException;
}
