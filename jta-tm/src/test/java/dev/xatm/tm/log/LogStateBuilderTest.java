package dev.xatm.tm.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.spi.ResourceDescriptor;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LogStateBuilderTest {
  private final Branch a = new Branch("a", XatmXid.bqual(1));
  private final Branch b = new Branch("b", XatmXid.bqual(2));
  private long lsn;
  private final LogStateBuilder builder = new LogStateBuilder();

  private LogStateBuilder apply(TxRecord r) {
    return builder.apply(++lsn, r);
  }

  private static Gtrid g(long epoch, long seq) {
    return new Gtrid("n1", epoch, seq);
  }

  @Test
  void rebuildsDecidedUnfinishedResourcesHeuristicsAndEpoch() {
    apply(new TxRecord.EpochStarted("n1", 1, 0));
    apply(new TxRecord.ResourceRegistered(new ResourceDescriptor("a", "fake:a", null)));
    apply(new TxRecord.ResourceRegistered(new ResourceDescriptor("b", "fake:b", "u")));
    apply(new TxRecord.Begin(g(1, 1), List.of(a, b), 10)); // begun only
    apply(new TxRecord.Begin(g(1, 2), List.of(a, b), 10));
    apply(new TxRecord.Committing(g(1, 2), List.of(a, b))); // decided, unfinished
    apply(new TxRecord.Begin(g(1, 3), List.of(a, b), 10));
    apply(new TxRecord.Committing(g(1, 3), List.of(a)));
    apply(new TxRecord.Heuristic(g(1, 3), a, HeuristicOutcome.MIXED));
    apply(new TxRecord.End(g(1, 3), Outcome.COMMITTED)); // finished
    apply(new TxRecord.Begin(g(1, 4), List.of(a, b), 10));
    apply(new TxRecord.End(g(1, 4), Outcome.ROLLED_BACK)); // finished
    apply(new TxRecord.EpochStarted("n1", 2, 0));
    apply(new TxRecord.ResourceRegistered(new ResourceDescriptor("a", "fake:a2", null)));
    apply(new TxRecord.Begin(g(2, 1), List.of(a, b), 10)); // current epoch, begun only
    LogState s = builder.build();

    assertEquals("n1", s.nodeId());
    assertEquals(2, s.epoch());
    assertEquals(lsn, s.lastLsn());
    assertEquals(Set.of(g(1, 2)), s.decided().keySet());
    assertEquals(List.of(a, b), s.decided().get(g(1, 2)).branches());
    assertEquals(6, s.decided().get(g(1, 2)).committingLsn());
    assertEquals(Set.of(g(1, 1), g(2, 1)), s.begunOnly().keySet());
    assertEquals(
        List.of(g(1, 1)),
        s.begunOnlyBefore(2).stream().map(LogState.BegunTransaction::gtrid).toList());
    assertEquals("fake:a2", s.resources().get("a").url());
    assertEquals("u", s.resources().get("b").user());
    assertEquals(1, s.heuristics().size());
    assertEquals(HeuristicOutcome.MIXED, s.heuristics().get(0).outcome());
    assertEquals(Optional.of(Outcome.COMMITTED), s.loggedOutcome(g(1, 2)));
    assertEquals(Optional.of(Outcome.COMMITTED), s.loggedOutcome(g(1, 3)));
    assertEquals(Optional.empty(), s.loggedOutcome(g(1, 1)));
    assertEquals(Optional.empty(), s.loggedOutcome(g(1, 4)));
    assertTrue(s.anomalies().isEmpty(), s.anomalies().toString());
  }

  @Test
  void unexpectedSequencesAreSkippedAndReported() {
    apply(new TxRecord.EpochStarted("n1", 3, 0));
    apply(new TxRecord.EpochStarted("n1", 3, 0)); // does not increase
    apply(new TxRecord.End(g(3, 9), Outcome.COMMITTED)); // unknown gtrid
    apply(new TxRecord.Begin(g(3, 1), List.of(a, b), 10));
    apply(new TxRecord.Committing(g(3, 1), List.of(a, b)));
    apply(new TxRecord.Committing(g(3, 1), List.of(a))); // second Committing
    apply(new TxRecord.Begin(g(3, 1), List.of(a), 10)); // Begin after decision
    apply(new TxRecord.End(g(3, 1), Outcome.ROLLED_BACK)); // contradicts the decision
    builder.unknownType(++lsn, 40);
    LogState s = builder.build();

    assertEquals(3, s.epoch());
    assertEquals(Set.of(g(3, 1)), s.decided().keySet(), "a decided commit is never undone (I3)");
    assertEquals(List.of(a, b), s.decided().get(g(3, 1)).branches());
    assertTrue(s.begunOnly().isEmpty());
    assertEquals(6, s.anomalies().size(), s.anomalies().toString());
    assertTrue(s.anomalies().get(0).contains("LSN 2"), s.anomalies().get(0));
  }
}
