package dev.xatm.tm.spi;

import java.util.Objects;

/**
 * How to reach one resource manager again: the recipe recovery uses after a restart.
 *
 * @param resourceId stable identity of the resource, the same in every process that uses it (for
 *     the JDBC driver: the URL without secrets plus the user). Logged with every branch.
 * @param url the URL to reach it (for example {@code jdbc:xa:postgresql://db1:5432/bank}); never
 *     contains a password
 * @param user the user name, or {@code null}
 */
public record ResourceDescriptor(String resourceId, String url, String user) {
  /**
   * Checks the required components.
   *
   * @param resourceId stable identity of the resource; not {@code null}
   * @param url the URL to reach it; not {@code null}
   * @param user the user name, or {@code null}
   * @throws NullPointerException {@code resourceId} or {@code url} is {@code null}
   */
  public ResourceDescriptor {
    Objects.requireNonNull(resourceId, "resourceId");
    Objects.requireNonNull(url, "url");
  }
}
