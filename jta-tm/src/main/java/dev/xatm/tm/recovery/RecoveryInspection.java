package dev.xatm.tm.recovery;

import dev.xatm.tm.log.LogState;
import dev.xatm.tm.recovery.internal.OfflinePass;
import dev.xatm.tm.spi.RecoveryConnector;
import java.util.List;
import java.util.Objects;

/**
 * Read-only views for operators' tools (the {@code xatm} command, docs/operations.md): what the
 * next start of a stopped node would do with every prepared Xid of its resources, and the exact
 * form in which {@link RecoveryService#clearHeuristic} names a heuristic entry.
 *
 * <p>{@link #inspect} runs the scan a recovery pass runs (the configured resources plus every
 * resource the log registered, with the configured credentials; {@code recover()} on each) and
 * decides each Xid with the recovery's own decision table (docs/recovery.md), as if a new process
 * start were running its startup pass; it sends no commit, rollback or forget and writes nothing.
 *
 * <pre>{@code
 * RecoveryInspection.Report r = RecoveryInspection.inspect(state, logId, false, config, connectors);
 * r.prepared().forEach(x -> System.out.println(x.xid() + " " + x.action() + ": " + x.reason()));
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class RecoveryInspection {
  private RecoveryInspection() {}

  /**
   * A resource the scan could not list.
   *
   * @param resourceId the resource (or {@code config:NAME} when even its id is unknown)
   * @param url its recipe, or {@code null}
   * @param reason why (no connector, no credentials, cannot connect, recover() failed)
   */
  public record Unreachable(String resourceId, String url, String reason) {}

  /**
   * What the scan found.
   *
   * @param nodeId this node
   * @param nextEpoch the epoch the next start would take (the log's last epoch + 1)
   * @param scanned the resources listed, in scan order
   * @param prepared every prepared Xid they listed (this node's and everyone else's)
   * @param unreachable the resources that could not be listed
   */
  public record Report(
      String nodeId,
      long nextEpoch,
      List<String> scanned,
      List<PreparedXid> prepared,
      List<Unreachable> unreachable) {
    /**
     * Copies the lists.
     *
     * @param nodeId this node
     * @param nextEpoch the epoch the next start would take
     * @param scanned the resources listed; copied
     * @param prepared every prepared Xid they listed; copied
     * @param unreachable the resources that could not be listed; copied
     */
    public Report {
      scanned = List.copyOf(scanned);
      prepared = List.copyOf(prepared);
      unreachable = List.copyOf(unreachable);
    }
  }

  /**
   * Lists and decides, read-only.
   *
   * @param state the log's state as a start would rebuild it
   * @param logId the log's identity ({@link dev.xatm.tm.log.TxLog#logIdOf} of its UUID)
   * @param logDamaged the log has damage beyond a torn tail (a start in damaged mode presumes
   *     nothing)
   * @param config the node's recovery settings (resources and credentials)
   * @param connectors how to reach resources (as the TM finds them: ServiceLoader)
   * @return what the scan found; a resource that cannot be listed is reported, not thrown
   */
  public static Report inspect(
      LogState state,
      long logId,
      boolean logDamaged,
      RecoveryConfig config,
      List<RecoveryConnector> connectors) {
    Objects.requireNonNull(state, "state");
    return OfflinePass.inspect(state, logId, logDamaged, config, connectors);
  }

  /**
   * The Xid of a heuristic entry exactly as {@link RecoveryService#clearHeuristic} takes it ({@code
   * node/epoch/sequence#branch}, or {@code gtrid?branch} for a branch qualifier that is not
   * xatm's).
   *
   * @param h the heuristic entry
   * @return its name
   */
  public static String heuristicXid(LogState.HeuristicEntry h) {
    return OfflinePass.heuristicName(h);
  }
}
