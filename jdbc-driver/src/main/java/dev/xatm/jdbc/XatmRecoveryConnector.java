package dev.xatm.jdbc;

import dev.xatm.jdbc.internal.VendorXaResource;
import dev.xatm.jdbc.internal.XaConnectionFactory;
import dev.xatm.jdbc.internal.XaUrl;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.spi.ResourceUnavailableException;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.XAConnection;
import javax.transaction.xa.XAResource;

/**
 * Lets the TM's recovery reach a {@code jdbc:xa:} resource known only from its descriptor (the URL
 * is the recipe; the password comes from the TM's configuration or from what the driver offered at
 * runtime). Found through {@link java.util.ServiceLoader}. Each session is one unpooled physical XA
 * connection, closed with the session. Stateless and thread-safe.
 */
public final class XatmRecoveryConnector implements RecoveryConnector {

  /** Creates the connector; {@link java.util.ServiceLoader} calls this. */
  public XatmRecoveryConnector() {}

  @Override
  public boolean accepts(String url) {
    return XaUrl.accepts(url);
  }

  /**
   * The descriptor the driver's pools use for the same URL and user (secret-free URL, {@code
   * user@url} id), so a resource configured for recovery and one the log registered are recognised
   * as one.
   *
   * @throws IllegalArgumentException the URL is not a valid {@code jdbc:xa:} URL
   */
  @Override
  public ResourceDescriptor describe(String url, String user) {
    Properties info = new Properties();
    if (user != null) {
      info.setProperty("user", user);
    }
    try {
      return XaUrl.parse(url, info).descriptor();
    } catch (SQLException e) {
      throw new IllegalArgumentException(XaUrl.redact(e.getMessage()), e);
    }
  }

  @Override
  public RecoverySession open(ResourceDescriptor resource, String password)
      throws ResourceUnavailableException {
    Properties info = new Properties();
    if (resource.user() != null) {
      info.setProperty("user", resource.user());
    }
    if (password != null) {
      info.setProperty("password", password);
    }
    XAConnection xa;
    try {
      XaUrl url = XaUrl.parse(resource.url(), info);
      xa = XaConnectionFactory.create(url, XatmRecoveryConnector.class.getClassLoader()).open();
    } catch (SQLException e) {
      throw new ResourceUnavailableException(
          "cannot open a recovery connection to "
              + resource.resourceId()
              + " (SQLState "
              + e.getSQLState()
              + "): "
              + XaUrl.redact(e.getMessage()),
          e);
    }
    XAResource xaResource;
    try {
      xaResource = VendorXaResource.wrap(xa.getXAResource());
    } catch (SQLException e) {
      closeQuietly(xa);
      throw new ResourceUnavailableException(
          "no XAResource from the recovery connection to " + resource.resourceId(), e);
    }
    return new RecoverySession() {
      @Override
      public XAResource xaResource() {
        return xaResource;
      }

      @Override
      public void close() {
        closeQuietly(xa);
      }

      @Override
      public String toString() {
        return "xatm recovery session for " + resource.resourceId();
      }
    };
  }

  private static void closeQuietly(XAConnection xa) {
    try {
      xa.close();
    } catch (SQLException e) {
      // The session is over either way; a failed close leaves nothing recovery depends on.
    }
  }
}
