package dev.xatm.tm.log;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/** A {@link LogView} of an immutable {@link LogState} (offline tools: nothing is appended). */
final class FixedLogView implements LogView {
  private final LogState state;

  FixedLogView(LogState state) {
    this.state = state;
  }

  @Override
  public LogState snapshot() {
    return state;
  }

  @Override
  public Optional<LogState.DecidedTransaction> decided(Gtrid g) {
    return Optional.ofNullable(state.decided().get(g));
  }

  @Override
  public Optional<LogState.BegunTransaction> begun(Gtrid g) {
    return Optional.ofNullable(state.begunOnly().get(g));
  }

  @Override
  public Optional<Outcome> endedOutcome(Gtrid g) {
    return state.endedOutcome(g);
  }

  @Override
  public Optional<String> keptInDoubt(Gtrid g) {
    return Optional.ofNullable(state.keptInDoubt().get(g));
  }

  @Override
  public boolean started(long epoch, int incarnation) {
    return state.started(epoch, incarnation);
  }

  @Override
  public Map<String, ResourceDescriptor> resources() {
    return state.resources();
  }

  @Override
  public List<LogState.HeuristicEntry> heuristics() {
    return state.heuristics();
  }

  @Override
  public SortedMap<Long, String> damageAccepted() {
    return state.damageAccepted();
  }

  @Override
  public Observation observe() {
    return () -> {}; // immutable: nothing is ever dropped
  }
}
