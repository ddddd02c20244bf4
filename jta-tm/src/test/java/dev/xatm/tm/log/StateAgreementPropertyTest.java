package dev.xatm.tm.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.XatmXid;
import dev.xatm.tm.spi.ResourceDescriptor;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: the TM state is the same however it is built: by appending records through the log (its
 * live view), by replaying the log from the start, and by loading a checkpoint taken at any LSN and
 * replaying the rest. Random protocol-shaped histories (seeded; the seed is printed) of epochs,
 * registrations, Begin, Committing, heuristics and their clearing, KeptInDoubt and End. Compared is
 * everything a checkpoint carries (what recovery reads); ended transactions and replay anomalies
 * are, by design, not carried.
 */
class StateAgreementPropertyTest {
  @TempDir Path dir;

  /** The state recovery reads, as comparable values. */
  private static Map<String, Object> carried(LogState s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", s.nodeId());
    m.put("epoch", s.epoch());
    m.put("resources", s.resources());
    m.put("decided", s.decided());
    m.put("begunOnly", s.begunOnly());
    m.put("heuristics", s.heuristics());
    m.put("keptInDoubt", s.keptInDoubt());
    m.put("starts", s.starts());
    return m;
  }

  /** A history where each gtrid follows the protocol: Begin, maybe decided, heuristics, End. */
  private static List<TxRecord> history(Random r, int length) {
    List<TxRecord> out = new ArrayList<>();
    long epoch = 0;
    int incarnation = 0;
    long seq = 0;
    Map<Gtrid, Integer> open = new HashMap<>(); // 0 begun, 1 decided, 2 kept in doubt
    Map<Gtrid, List<Branch>> branches = new HashMap<>();
    for (int i = 0; i < length; i++) {
      int k = r.nextInt(100);
      if (epoch == 0 || k < 3) {
        epoch++;
        incarnation = r.nextInt(Integer.MAX_VALUE) + 1;
        out.add(new TxRecord.EpochStarted("n1", epoch, i, incarnation));
      } else if (k < 8) {
        String id = "r" + r.nextInt(3);
        out.add(
            new TxRecord.ResourceRegistered(
                new ResourceDescriptor(id, "fake:" + id + "/" + r.nextInt(2), "u")));
      } else if (k < 35 || open.isEmpty()) {
        Gtrid g = new Gtrid("n1", 77, incarnation, epoch, ++seq);
        List<Branch> bs = new ArrayList<>();
        for (int b = 1; b <= 1 + r.nextInt(3); b++) {
          bs.add(new Branch("r" + r.nextInt(3), XatmXid.bqual(b)));
        }
        branches.put(g, bs);
        if (r.nextInt(10) == 0) {
          open.put(g, 2);
          out.add(new TxRecord.KeptInDoubt(g, "reason " + i));
        } else {
          open.put(g, 0);
          out.add(new TxRecord.Begin(g, bs, r.nextLong()));
        }
      } else {
        List<Gtrid> gs = new ArrayList<>(open.keySet());
        gs.sort(java.util.Comparator.comparing(Gtrid::toString));
        Gtrid g = gs.get(r.nextInt(gs.size()));
        int state = open.get(g);
        List<Branch> bs = branches.get(g);
        int what = r.nextInt(10);
        if (state != 1 && what < 4) {
          open.put(g, 1);
          out.add(new TxRecord.Committing(g, bs));
        } else if (state == 1 && what < 3) {
          Branch b = bs.get(r.nextInt(bs.size()));
          out.add(
              new TxRecord.Heuristic(
                  g, b, HeuristicOutcome.values()[r.nextInt(HeuristicOutcome.values().length)]));
          if (r.nextBoolean()) {
            out.add(new TxRecord.HeuristicCleared(g, b));
          }
        } else {
          open.remove(g);
          out.add(
              new TxRecord.End(
                  g, state == 1 || r.nextBoolean() ? Outcome.COMMITTED : Outcome.ROLLED_BACK));
          if (state != 1) {
            // End(committed) without Committing is an anomaly; keep histories protocol-shaped.
            out.set(out.size() - 1, new TxRecord.End(g, Outcome.ROLLED_BACK));
          }
        }
      }
    }
    return out;
  }

  @Test
  void appendedReplayedAndCheckpointedStatesAgree() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("StateAgreementPropertyTest seed: " + seed);
    Random r = new Random(seed);
    for (int run = 0; run < 200; run++) {
      List<TxRecord> h = history(r, 1 + r.nextInt(300));
      LogStateBuilder all = new LogStateBuilder();
      for (int i = 0; i < h.size(); i++) {
        all.apply(i + 1, h.get(i));
      }
      Map<String, Object> expected = carried(all.build());
      int cut = r.nextInt(h.size() + 1); // a checkpoint after LSN cut
      LogStateBuilder upTo = new LogStateBuilder();
      for (int i = 0; i < cut; i++) {
        upTo.apply(i + 1, h.get(i));
      }
      LogStateBuilder resumed =
          TmCheckpointCodec.decode(TmCheckpointCodec.encode(upTo.build(), cut)).builder();
      for (int i = cut; i < h.size(); i++) {
        resumed.apply(i + 1, h.get(i));
      }
      assertEquals(
          expected,
          carried(resumed.build()),
          "seed " + seed + " run " + run + " checkpoint at " + cut + " of " + h.size());
    }
  }

  /** The live view of a WalTxLog (appends, with a capture midway) equals a replay of the WAL. */
  @Test
  void theWalTxLogLiveViewEqualsAReplayOfTheLog() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("StateAgreementPropertyTest WAL seed: " + seed);
    Random r = new Random(seed);
    for (int run = 0; run < 10; run++) {
      Path logDir = dir.resolve("log" + run);
      List<TxRecord> h = history(r, 50 + r.nextInt(200));
      WalConfig wc = WalConfig.builder(logDir).nodeId("n1").build();
      LogState live;
      try (WalTxLog log = new WalTxLog(Wal.open(wc))) {
        log.replay();
        int capture = r.nextInt(h.size());
        for (int i = 0; i < h.size(); i++) {
          if (i == capture) {
            log.captureState(); // what a checkpoint does to the live view
          }
          append(log, h.get(i));
        }
        log.sync().get();
        live = log.current();
        assertPointQueriesAgree(log.view(), live, h, "seed " + seed + " run " + run);
      }
      try (WalTxLog log = new WalTxLog(Wal.open(wc))) {
        assertEquals(carried(log.replay()), carried(live), "seed " + seed + " run " + run);
      }
    }
  }

  /** Every point query of the view answers what the snapshot says, for every gtrid of h. */
  private static void assertPointQueriesAgree(
      LogView view, LogState snapshot, List<TxRecord> h, String where) {
    assertEquals(snapshot.resources(), view.resources(), where);
    assertEquals(snapshot.heuristics(), view.heuristics(), where);
    assertEquals(snapshot.damageAccepted(), view.damageAccepted(), where);
    for (TxRecord rec : h) {
      Gtrid g = gtridOf(rec);
      if (g == null) {
        continue;
      }
      assertEquals(
          java.util.Optional.ofNullable(snapshot.decided().get(g)), view.decided(g), where);
      assertEquals(
          java.util.Optional.ofNullable(snapshot.begunOnly().get(g)), view.begun(g), where);
      assertEquals(snapshot.endedOutcome(g), view.endedOutcome(g), where);
      assertEquals(
          java.util.Optional.ofNullable(snapshot.keptInDoubt().get(g)), view.keptInDoubt(g), where);
      assertEquals(
          snapshot.started(g.epoch(), g.incarnation()),
          view.started(g.epoch(), g.incarnation()),
          where);
    }
  }

  private static Gtrid gtridOf(TxRecord rec) {
    if (rec instanceof TxRecord.Begin b) {
      return b.gtrid();
    } else if (rec instanceof TxRecord.Committing c) {
      return c.gtrid();
    } else if (rec instanceof TxRecord.End e) {
      return e.gtrid();
    } else if (rec instanceof TxRecord.KeptInDoubt k) {
      return k.gtrid();
    }
    return null;
  }

  /**
   * While a recovery pass observes, a checkpoint keeps the ended transactions in the view (a pass
   * that listed a branch before its End must read it as ended, not unknown); once the observation
   * is closed, the next checkpoint drops them, so the view stays bounded.
   */
  @Test
  void endedTransactionsSurviveACheckpointOnlyWhileObserved() throws Exception {
    WalConfig wc = WalConfig.builder(dir.resolve("observed")).nodeId("n1").build();
    try (WalTxLog log = new WalTxLog(Wal.open(wc))) {
      log.replay();
      log.logEpoch(1, 7, 0);
      Gtrid g = new Gtrid("n1", 77, 7, 1, 1);
      List<Branch> bs = List.of(new Branch("r0", XatmXid.bqual(1)));
      log.logCommitting(g, bs);
      LogView.Observation observing = log.view().observe();
      log.logEnd(g, Outcome.COMMITTED);
      log.captureState();
      assertEquals(java.util.Optional.of(Outcome.COMMITTED), log.view().endedOutcome(g));
      observing.close();
      observing.close(); // idempotent
      log.captureState();
      assertEquals(
          java.util.Optional.empty(), log.view().endedOutcome(g), "dropped once unobserved");
      assertEquals(java.util.Optional.empty(), log.view().decided(g));
    }
  }

  private static void append(WalTxLog l, TxRecord rec) throws Exception {
    if (rec instanceof TxRecord.EpochStarted e) {
      l.logEpoch(e.epoch(), e.incarnation(), e.startedAtMillis());
    } else if (rec instanceof TxRecord.ResourceRegistered rr) {
      l.logResourceRegistered(rr.descriptor());
    } else if (rec instanceof TxRecord.Begin b) {
      l.logBegin(b.gtrid(), b.branches(), b.deadlineMillis());
    } else if (rec instanceof TxRecord.Committing c) {
      l.logCommitting(c.gtrid(), c.branches());
    } else if (rec instanceof TxRecord.Heuristic hr) {
      l.logHeuristic(hr.gtrid(), hr.branch(), hr.outcome());
    } else if (rec instanceof TxRecord.HeuristicCleared hc) {
      l.logHeuristicCleared(hc.gtrid(), hc.branch());
    } else if (rec instanceof TxRecord.KeptInDoubt k) {
      l.logKeptInDoubt(k.gtrid(), k.reason());
    } else if (rec instanceof TxRecord.End e) {
      l.logEnd(e.gtrid(), e.outcome());
    }
  }
}
