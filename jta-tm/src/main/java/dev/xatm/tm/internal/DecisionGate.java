package dev.xatm.tm.internal;

/**
 * Whether this TM may make a commit decision now (the cluster lease, docs/cluster.md). Asked by the
 * coordinator right before it writes a {@code Committing} record; a refusal rolls the transaction
 * back, as a failed decision does.
 */
@FunctionalInterface
public interface DecisionGate {
  /** No cluster: every decision may be made. */
  DecisionGate OPEN = () -> null;

  /** Why no decision may be made now, or {@code null} when one may. Cheap: on the commit path. */
  String refusal();
}
