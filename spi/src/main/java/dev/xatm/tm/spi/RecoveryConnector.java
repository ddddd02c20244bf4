package dev.xatm.tm.spi;

/**
 * Opens an XAResource for recovery from a resource URL and credentials. Implementations are found
 * with {@link java.util.ServiceLoader}; the JDBC driver provides one for {@code jdbc:xa:} URLs.
 */
public interface RecoveryConnector {

  /**
   * {@return true when this connector understands the URL}
   *
   * @param url a resource URL from the configuration or the log
   */
  boolean accepts(String url);

  /**
   * The descriptor of the resource a configured {@code url} and {@code user} reach: recovery treats
   * a configured resource and a logged one as the same resource when their resource ids are equal,
   * so connectors should normalize the URL the way their adapters build descriptors. The default
   * uses {@code user@url} (or {@code url} without a user).
   *
   * @param url a URL this connector {@link #accepts}
   * @param user the user name, or {@code null}
   * @return the descriptor the connector's adapters would log for this URL and user
   * @throws IllegalArgumentException the URL is not valid for this connector
   */
  default ResourceDescriptor describe(String url, String user) {
    return new ResourceDescriptor(user == null ? url : user + "@" + url, url, user);
  }

  /**
   * Connects to the resource.
   *
   * @param resource the descriptor, from the log or from {@link #describe}
   * @param password the password, or {@code null} when none is configured
   * @return a session whose XAResource recovery uses; recovery closes it
   * @throws ResourceUnavailableException the resource cannot be reached now (recovery retries)
   */
  RecoverySession open(ResourceDescriptor resource, String password)
      throws ResourceUnavailableException;
}
