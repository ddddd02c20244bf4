package dev.xatm.tm;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** The platform MBean server calls the TM's MXBeans share. */
final class PlatformMBeans {
  private static final System.Logger LOG = System.getLogger(PlatformMBeans.class.getName());

  private PlatformMBeans() {}

  /** Unregisters {@code name} if it is registered; a failure is logged, never thrown (close). */
  static void unregister(ObjectName name) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (JMException e) {
      LOG.log(System.Logger.Level.WARNING, "could not unregister " + name + ": " + e.getMessage());
    }
  }
}
