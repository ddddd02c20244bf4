package dev.xatm.cdi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.inject.spi.Extension;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class ExtensionRegistrationTest {
  @Test
  void theExtensionIsRegisteredForServiceLoaderDiscovery() {
    assertTrue(
        ServiceLoader.load(Extension.class).stream()
            .anyMatch(p -> p.type() == XatmCdiExtension.class),
        "META-INF/services/jakarta.enterprise.inject.spi.Extension must name XatmCdiExtension");
  }
}
