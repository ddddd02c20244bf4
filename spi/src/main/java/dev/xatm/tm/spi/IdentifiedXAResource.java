package dev.xatm.tm.spi;

import javax.transaction.xa.XAResource;

/**
 * An XAResource that names the resource manager it belongs to. The TM registers the descriptor
 * durably the first time it sees it, before any prepare, so recovery can reach the resource after a
 * crash. XAResources that do not implement this can still be enlisted, but recovery can reach them
 * only through resources configured in properties.
 */
public interface IdentifiedXAResource extends XAResource {
  /**
   * {@return how recovery reaches this resource manager again} The same value for every branch of
   * one resource manager; the TM compares descriptors by {@link ResourceDescriptor#resourceId()}.
   */
  ResourceDescriptor descriptor();
}
