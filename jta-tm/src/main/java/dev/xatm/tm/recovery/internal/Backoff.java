package dev.xatm.tm.recovery.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Exponential backoff per unreachable resource for background passes: after the n-th failure in a
 * row the resource is next tried {@code initial * 2^(n-1)} later, at most {@code max}. A success
 * resets it. Confined to the pass lock of the engine.
 */
final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final Map<String, State> states = new HashMap<>();

  private record State(int failures, Instant nextDue) {}

  Backoff(Duration initial, Duration max) {
    this.initial = initial;
    this.max = max;
  }

  boolean due(String resourceId, Instant now) {
    State s = states.get(resourceId);
    return s == null || !now.isBefore(s.nextDue);
  }

  Optional<Instant> nextDue(String resourceId) {
    return Optional.ofNullable(states.get(resourceId)).map(State::nextDue);
  }

  Duration failed(String resourceId, Instant now) {
    int failures = states.containsKey(resourceId) ? states.get(resourceId).failures + 1 : 1;
    Duration d = initial.multipliedBy(1L << Math.min(failures - 1, 30));
    if (d.compareTo(max) > 0 || d.isNegative()) {
      d = max;
    }
    states.put(resourceId, new State(failures, now.plus(d)));
    return d;
  }

  void succeeded(String resourceId) {
    states.remove(resourceId);
  }

  /** The earliest time a backing-off resource is due, if any. */
  Optional<Instant> earliestDue() {
    return states.values().stream().map(State::nextDue).min(Instant::compareTo);
  }
}
