package dev.xatm.tm.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a phase runs its branches in parallel (issue 15): slow branches, and cores to spare. */
class PhaseTimesTest {
  private static TxBranch branch(String resource, int n) {
    return new TxBranch(
        new XatmXid(new Gtrid("n1", 1, 1, 1, 1), n),
        new FakeXAResource(resource, new Journal()),
        new ResourceDescriptor(resource, "fake:" + resource, "user"));
  }

  private final List<TxBranch> two = List.of(branch("a", 1), branch("b", 2));

  @Test
  void slowBranchesForkWhileNoMoreTransactionsAreInAPhaseThanThereAreCores() {
    PhaseTimes t = new PhaseTimes(2);
    t.record("a", 1_000_000);
    t.record("b", 1_000_000);
    t.enter();
    t.enter();
    assertTrue(t.worthForking(two), "two in a phase on two cores: fork");
    t.enter();
    assertFalse(t.worthForking(two), "three on two cores: the phase thread would queue");
    t.exit();
    assertTrue(t.worthForking(two), "load gone: fork again");
  }

  @Test
  void fastBranchesNeverFork() {
    PhaseTimes t = new PhaseTimes(8);
    t.record("a", 5_000);
    t.record("b", 5_000);
    t.enter();
    assertFalse(t.worthForking(two));
  }
}
