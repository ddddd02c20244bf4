package dev.xatm.cluster;

import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
import jakarta.transaction.RollbackException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A TM on fake resources in the cluster mode, for the cluster tests (in this JVM or a child). */
final class ClusterTm implements AutoCloseable {
  final XatmTransactionManager tm;
  final Journal journal = new Journal();
  private final FakeXAResource a = new FakeXAResource("a", journal);
  private final FakeXAResource b = new FakeXAResource("b", journal);

  private ClusterTm(XatmTransactionManager tm) {
    this.tm = tm;
  }

  /** Starts on {@code logDir} as {@code nodeId}, with a 3 s lease renewed every 500 ms. */
  static ClusterTm start(Path logDir, String nodeId, String clusterUrl) {
    return start(logDir, Map.of("xatm.node-id", nodeId), clusterUrl);
  }

  /** Starts on {@code logDir} with a node id from {@code pool} ({@code xatm.cluster.node-ids}). */
  static ClusterTm startPooled(Path logDir, String pool, String clusterUrl) {
    return start(logDir, Map.of("xatm.cluster.node-ids", pool), clusterUrl);
  }

  private static ClusterTm start(Path logDir, Map<String, String> identity, String clusterUrl) {
    Map<String, String> settings = new java.util.HashMap<>(identity);
    settings.putAll(
        Map.of(
            "xatm.log.dir", logDir.toString(),
            "xatm.runtime.install-default", "false",
            "xatm.recovery.interval", "0",
            "xatm.cluster.url", clusterUrl,
            "xatm.cluster.lease-duration", "3s",
            "xatm.cluster.renew-interval", "500ms",
            "xatm.cluster.fence-margin", "1s"));
    XatmConfig config = XatmConfig.fromProperties(settings, Map.of(), Map.of());
    return new ClusterTm(
        XatmTransactionManager.builder(config).recoveryConnectors(List.of()).start());
  }

  /**
   * One two-phase transaction over both resources.
   *
   * @return null when it committed, else why it did not
   */
  String transfer() {
    try {
      tm.begin();
      tm.getTransaction().enlistResource(a);
      tm.getTransaction().enlistResource(b);
      tm.commit();
      return null;
    } catch (RollbackException e) {
      return "rolled back: " + e.getMessage();
    } catch (Exception e) {
      try {
        if (tm.getTransaction() != null) {
          tm.rollback();
        }
      } catch (Exception ignored) {
        // reported below
      }
      return "refused: " + e;
    }
  }

  /** The next commits on b fail (XAER_RMFAIL): the transaction stays decided and unfinished. */
  void failCommitsOnB() {
    b.always(FakeXAResource.Op.COMMIT, javax.transaction.xa.XAException.XAER_RMFAIL);
  }

  long commits() {
    return journal.count("a.commit") + journal.count("b.commit");
  }

  @Override
  public void close() throws Exception {
    tm.close();
  }
}
