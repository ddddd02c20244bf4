package dev.xatm.tm.spi;

/**
 * Opens an XAResource for recovery from a resource URL and credentials. Implementations are found
 * with {@link java.util.ServiceLoader}; the JDBC driver provides one for {@code jdbc:xa:} URLs.
 */
public interface RecoveryConnector {

  /** True when this connector understands the URL. */
  boolean accepts(String url);

  /**
   * The descriptor of the resource a configured {@code url} and {@code user} reach: recovery treats
   * a configured resource and a logged one as the same resource when their resource ids are equal,
   * so connectors should normalize the URL the way their adapters build descriptors. The default
   * uses {@code user@url} (or {@code url} without a user).
   *
   * @throws IllegalArgumentException the URL is not valid for this connector
   */
  default ResourceDescriptor describe(String url, String user) {
    return new ResourceDescriptor(user == null ? url : user + "@" + url, url, user);
  }

  /**
   * Connects to the resource.
   *
   * @param password the password, or {@code null} when none is configured
   * @throws ResourceUnavailableException the resource cannot be reached now (recovery retries)
   */
  RecoverySession open(ResourceDescriptor resource, String password)
      throws ResourceUnavailableException;
}
