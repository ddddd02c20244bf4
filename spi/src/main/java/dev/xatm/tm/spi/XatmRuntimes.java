package dev.xatm.tm.spi;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one JVM-wide hook: where a {@code java.sql.Driver}, which the JDK instantiates itself, finds
 * the running transaction manager. A TM installs itself when it starts (unless told not to) and
 * uninstalls itself when it closes. Everything that can be handed an instance (the pooled
 * DataSource, Spring beans) should be, and not use this.
 */
public final class XatmRuntimes {
  private static final AtomicReference<XatmRuntime> CURRENT = new AtomicReference<>();

  private XatmRuntimes() {}

  /**
   * Installs {@code runtime} as the JVM's one runtime. Installing the one already installed does
   * nothing.
   *
   * @param runtime the runtime to install
   * @throws IllegalStateException another runtime is installed; the message says so
   */
  public static void install(XatmRuntime runtime) {
    if (!CURRENT.compareAndSet(null, runtime) && CURRENT.get() != runtime) {
      throw new IllegalStateException(
          "another xatm transaction manager is already installed as the JVM default ("
              + CURRENT.get()
              + "); close it first, or start this one without installing it as the default");
    }
  }

  /**
   * Removes the runtime if it is the installed one; otherwise does nothing.
   *
   * @param runtime the runtime to remove
   */
  public static void uninstall(XatmRuntime runtime) {
    CURRENT.compareAndSet(runtime, null);
  }

  /** {@return the installed runtime, or empty when no transaction manager is installed} */
  public static Optional<XatmRuntime> current() {
    return Optional.ofNullable(CURRENT.get());
  }
}
