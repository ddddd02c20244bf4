package dev.xatm.tm.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The outcome of one recovery pass: one line per Xid (and per unreachable resource). Immutable. */
public final class RecoveryReport {
  private final String nodeId;
  private final Instant startedAt;
  private final Duration duration;
  private final List<RecoveryLine> lines;
  private final Map<RecoveryResult, Integer> counts;

  /**
   * Creates the report and counts its lines per result.
   *
   * @param nodeId the node that ran the pass; not {@code null}
   * @param startedAt when the pass started; not {@code null}
   * @param duration how long it took; not {@code null}
   * @param lines one line per Xid and per unreachable resource; copied
   */
  public RecoveryReport(
      String nodeId, Instant startedAt, Duration duration, List<RecoveryLine> lines) {
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    this.duration = Objects.requireNonNull(duration, "duration");
    this.lines = List.copyOf(lines);
    Map<RecoveryResult, Integer> c = new EnumMap<>(RecoveryResult.class);
    for (RecoveryLine l : this.lines) {
      c.merge(l.result(), 1, Integer::sum);
    }
    this.counts = Collections.unmodifiableMap(c);
  }

  /** {@return the node that ran the pass} */
  public String nodeId() {
    return nodeId;
  }

  /** {@return when the pass started} */
  public Instant startedAt() {
    return startedAt;
  }

  /** {@return how long the pass took} */
  public Duration duration() {
    return duration;
  }

  /** {@return the lines, one per Xid and per unreachable resource} */
  public List<RecoveryLine> lines() {
    return lines;
  }

  /** {@return the number of lines per result (results without lines are absent)} */
  public Map<RecoveryResult, Integer> counts() {
    return counts;
  }

  /**
   * {@return the number of lines with this result, 0 when none}
   *
   * @param result the result to count
   */
  public int count(RecoveryResult result) {
    return counts.getOrDefault(result, 0);
  }

  /** {@return true when any line needs another pass or an operator} */
  public boolean unresolved() {
    return lines.stream().anyMatch(RecoveryLine::unresolved);
  }

  /** {@return one summary line: node, start, duration, counts} */
  public String summary() {
    return "recovery pass of node "
        + nodeId
        + " at "
        + startedAt
        + " took "
        + duration.toMillis()
        + " ms: "
        + lines.size()
        + " line(s) "
        + counts
        + (unresolved() ? "; UNRESOLVED items remain" : "; nothing unresolved");
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(summary());
    for (RecoveryLine l : lines) {
      sb.append(System.lineSeparator()).append("  ").append(l);
    }
    return sb.toString();
  }
}
