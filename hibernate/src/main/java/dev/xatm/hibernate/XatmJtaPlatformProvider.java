package dev.xatm.hibernate;

import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatform;
import org.hibernate.engine.transaction.jta.platform.spi.JtaPlatformProvider;

/**
 * Lets Hibernate find {@link XatmJtaPlatform} by itself: when {@code
 * hibernate.transaction.jta.platform} is not set, Hibernate's {@code StandardJtaPlatformResolver}
 * asks the {@code JtaPlatformProvider}s on the class path (ServiceLoader, {@code
 * META-INF/services/org.hibernate.engine.transaction.jta.platform.spi.JtaPlatformProvider}) before
 * it guesses from class names. Stateless.
 */
public final class XatmJtaPlatformProvider implements JtaPlatformProvider {

  /** Created by Hibernate through {@link java.util.ServiceLoader}. */
  public XatmJtaPlatformProvider() {}

  @Override
  public JtaPlatform getProvidedJtaPlatform() {
    return new XatmJtaPlatform();
  }
}
