package dev.xatm.cli;

import dev.xatm.tm.XatmXid;
import dev.xatm.tm.spi.IdentifiedXAResource;
import dev.xatm.tm.spi.RecoveryConnector;
import dev.xatm.tm.spi.RecoverySession;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.XAException;
import javax.transaction.xa.Xid;

/**
 * A resource manager in memory for {@link OnlineTmChild}: remembers prepared Xids as a database
 * does ({@code recover()} lists them; commit and rollback remove them), and can answer the second
 * phase of new transactions with a heuristic. Resource id NAME, URL {@code mem:NAME}.
 *
 * <p>Thread-safe (synchronized).
 */
final class MemoryRm implements IdentifiedXAResource {
  private final String name;
  private final List<Xid> prepared = new ArrayList<>();
  private volatile int commitAnswers;

  MemoryRm(String name) {
    this.name = name;
  }

  synchronized void hold(Xid xid) {
    prepared.add(xid);
  }

  /** Every later two-phase commit throws XAException with this code (0: commits). */
  void commitAnswers(int code) {
    commitAnswers = code;
  }

  private synchronized boolean remove(Xid xid) {
    return prepared.removeIf(x -> XatmXid.sameXid(x, xid));
  }

  @Override
  public ResourceDescriptor descriptor() {
    return new ResourceDescriptor(name, "mem:" + name, null);
  }

  @Override
  public void start(Xid xid, int flags) {}

  @Override
  public void end(Xid xid, int flags) {}

  @Override
  public int prepare(Xid xid) {
    hold(xid);
    return XA_OK;
  }

  @Override
  public void commit(Xid xid, boolean onePhase) throws XAException {
    if (!onePhase && commitAnswers != 0) {
      throw new XAException(commitAnswers);
    }
    if (!remove(xid) && !onePhase) {
      throw new XAException(XAException.XAER_NOTA);
    }
  }

  @Override
  public void rollback(Xid xid) throws XAException {
    if (!remove(xid)) {
      throw new XAException(XAException.XAER_NOTA);
    }
  }

  @Override
  public void forget(Xid xid) {
    remove(xid);
  }

  @Override
  public synchronized Xid[] recover(int flag) {
    return prepared.toArray(new Xid[0]);
  }

  @Override
  public boolean isSameRM(javax.transaction.xa.XAResource other) {
    return other == this;
  }

  @Override
  public int getTransactionTimeout() {
    return 0;
  }

  @Override
  public boolean setTransactionTimeout(int seconds) {
    return false;
  }

  /** Reaches {@code mem:NAME} resources of one process. */
  static RecoveryConnector connector(Map<String, MemoryRm> rms) {
    return new RecoveryConnector() {
      @Override
      public boolean accepts(String url) {
        return url.startsWith("mem:");
      }

      @Override
      public ResourceDescriptor describe(String url, String user) {
        return new ResourceDescriptor(url.substring(4), url, user);
      }

      @Override
      public RecoverySession open(ResourceDescriptor resource, String password) {
        MemoryRm rm = rms.get(resource.resourceId());
        return new RecoverySession() {
          @Override
          public javax.transaction.xa.XAResource xaResource() {
            return rm;
          }

          @Override
          public void close() {}
        };
      }
    };
  }
}
