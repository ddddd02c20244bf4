package dev.xatm.cdi;

import dev.xatm.cdi.beans.TestConfig;
import java.util.UUID;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

/**
 * Boots Weld SE with the given bean classes and nothing scanned. With discovery off, Weld SE does
 * not read {@code META-INF/services}, so the extension is added explicitly here; {@code
 * DiscoveryTest} boots with discovery on and finds it through that entry, as an application does.
 */
final class Containers {
  private Containers() {}

  /** A container whose XatmConfig is {@link TestConfig}'s (a fresh log directory). */
  static WeldContainer boot(Class<?>... beans) {
    Weld weld =
        new Weld("xatm-cdi-" + UUID.randomUUID())
            .disableDiscovery()
            .addExtension(new XatmCdiExtension());
    weld.addBeanClass(TestConfig.class);
    weld.addBeanClasses(beans);
    return weld.initialize();
  }

  /** A container without an XatmConfig bean: the extension uses {@code XatmConfig.load()}. */
  static WeldContainer bootWithoutConfig(Class<?>... beans) {
    Weld weld =
        new Weld("xatm-cdi-" + UUID.randomUUID())
            .disableDiscovery()
            .addExtension(new XatmCdiExtension());
    weld.addBeanClasses(beans);
    return weld.initialize();
  }
}
