package dev.xatm.tm.recovery.internal;

import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.ResourceDescriptor;

/**
 * One resource a pass scans: its identity, how to reach it, and either a password (possibly none)
 * or the problem that makes it unreachable. {@link #toString()} never shows the password.
 */
final class Target {
  final String resourceId;
  final ResourceDescriptor descriptor;
  final RecoveryConnector connector;
  final String password;
  final String problem;
  final String source;

  Target(
      String resourceId,
      ResourceDescriptor descriptor,
      RecoveryConnector connector,
      String password,
      String problem,
      String source) {
    this.resourceId = resourceId;
    this.descriptor = descriptor;
    this.connector = connector;
    this.password = password;
    this.problem = problem;
    this.source = source;
  }

  @Override
  public String toString() {
    return resourceId + " (" + source + (problem == null ? "" : ", " + problem) + ")";
  }
}
