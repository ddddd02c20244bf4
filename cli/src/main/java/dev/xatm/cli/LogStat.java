package dev.xatm.cli;

import dev.xatm.snapshot.Checkpoint;
import dev.xatm.tm.log.Branch;
import dev.xatm.tm.log.LogState;
import dev.xatm.tm.log.TxRecordType;
import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.WalVerification;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code xatm log stat DIR}: what a stopped node's log holds and what a start would rebuild from it
 * (segments, checkpoints, LSNs, epoch, node id, decided and undecided transactions, heuristics),
 * read-only. Exit 1 when the log is damaged or a start could not replay it.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    description = {
      "Summarise a stopped node's log: segments, checkpoints, LSNs, epoch, node id, and the"
          + " transaction state a start would rebuild (decided and unfinished, begun and"
          + " undecided, heuristics).",
      "Exit 1: the log is damaged or cannot be replayed (the output says why)."
    })
final class LogStat implements Callable<Integer>, Xatm.JsonOutput {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The log directory (xatm.log.dir).")
  Path dir;

  @Mixin LogOptions options;

  @Option(names = "--json", description = "One JSON document on stdout.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() throws CliException {
    OfflineLog log = options.open(dir);
    LockProbe.Status lock = log.requireStopped();
    OfflineLog.Verification v = log.verify();
    WalVerification s = v.scan();
    if (s.segments().isEmpty() && !v.damaged()) {
      throw new CliException(
          ExitCodes.USAGE, dir + " holds no log segment; give the log directory of a node");
    }
    ReplayedLog r = s.segments().isEmpty() ? null : ReplayedLog.replay(log, s, v.damaged());
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.write(json(v, lock, r)));
    } else {
      text(out, v, lock, r);
    }
    boolean bad = v.damaged() || r == null || r.problem() != null;
    return bad ? ExitCodes.DAMAGED : ExitCodes.OK;
  }

  private void text(
      PrintWriter out, OfflineLog.Verification v, LockProbe.Status lock, ReplayedLog r) {
    WalVerification s = v.scan();
    List<String[]> p = new ArrayList<>();
    p.add(new String[] {"log", dir.toString()});
    p.add(new String[] {"node id", String.valueOf(s.nodeId())});
    p.add(new String[] {"segments", LogVerify.segmentsText(s.segments())});
    p.add(new String[] {"LSNs", s.firstLsn() + ".." + s.lastLsn()});
    p.add(new String[] {"torn tail", s.tornTail() == null ? "none" : s.tornTail()});
    p.add(
        new String[] {
          "damage",
          v.damaged()
              ? s.damage().size() + " place(s); a start refuses this log (xatm log verify)"
              : "none"
        });
    p.add(new String[] {"lock", LogVerify.lockText(lock)});
    if (r != null) {
      p.add(new String[] {"replay start", startText(r)});
      if (r.problem() != null) {
        p.add(new String[] {"replay problem", r.problem()});
      }
      LogState st = r.state();
      if (st != null) {
        p.add(new String[] {"epoch", Long.toString(st.epoch())});
        p.add(new String[] {"resources", Integer.toString(st.resources().size())});
        p.add(new String[] {"decided, unfinished", Integer.toString(st.decided().size())});
        p.add(new String[] {"begun, undecided", Integer.toString(st.begunOnly().size())});
        p.add(new String[] {"heuristics", Integer.toString(st.heuristics().size())});
        p.add(new String[] {"replay anomalies", Integer.toString(st.anomalies().size())});
      }
    }
    Table.pairs(out, p);

    out.println();
    out.println("segments:");
    Table seg = new Table(">INDEX", ">FIRST LSN", ">LAST LSN", ">BYTES", "FILE");
    for (SegmentInfo i : s.segments()) {
      Path f = segmentFile(i);
      seg.row(i.index(), i.firstLsn(), i.lastLsn(), size(f), f.getFileName());
    }
    seg.print(out, "  ");
    if (r == null) {
      return;
    }
    out.println();
    out.println("checkpoints:");
    if (r.checkpoints().isEmpty()) {
      out.println("  none");
    } else {
      Table cp = new Table(">LSN", ">EPOCH", "NODE", "STATUS");
      for (ReplayedLog.CheckpointFile c : r.checkpoints()) {
        Checkpoint k = c.checkpoint();
        cp.row(
            c.lsn(),
            k == null ? null : k.epoch(),
            k == null ? null : k.nodeId(),
            c.error() == null ? "valid" : "INVALID: " + c.error());
      }
      cp.print(out, "  ");
    }
    out.println();
    out.println("records replayed by type:");
    Table types = new Table("TYPE", ">COUNT");
    for (TxRecordType t : TxRecordType.values()) {
      types.row(t, r.recordsByType().getOrDefault(t, 0));
    }
    types.row("(not TM records)", r.otherRecords());
    types.print(out, "  ");
    LogState st = r.state();
    if (st == null) {
      return;
    }
    if (!st.decided().isEmpty()) {
      out.println();
      out.println("decided, unfinished (recovery commits their branches):");
      Table d = new Table("GTRID", ">COMMITTING LSN", "BRANCHES");
      st.decided().values().stream()
          .sorted(Comparator.comparingLong(LogState.DecidedTransaction::committingLsn))
          .forEach(t -> d.row(t.gtrid(), t.committingLsn(), branches(t.branches())));
      d.print(out, "  ");
    }
    if (!st.begunOnly().isEmpty()) {
      out.println();
      out.println("begun, undecided (presumed aborted once their epoch is over):");
      Table b = new Table("GTRID", "BRANCHES");
      st.begunOnly().values().stream()
          .sorted(Comparator.comparing(t -> t.gtrid().toString()))
          .forEach(t -> b.row(t.gtrid(), branches(t.branches())));
      b.print(out, "  ");
    }
    if (!st.heuristics().isEmpty()) {
      out.println();
      out.println("heuristic outcomes not cleared:");
      Table h = new Table("GTRID", "BRANCH", "OUTCOME", ">LSN");
      for (LogState.HeuristicEntry e : st.heuristics()) {
        h.row(e.gtrid(), RecordView.branch(e.branch()), e.outcome(), e.lsn());
      }
      h.print(out, "  ");
    }
    if (!st.anomalies().isEmpty()) {
      out.println();
      out.println("replay anomalies (skipped by a start too):");
      for (String a : st.anomalies()) {
        out.println("  " + a);
      }
    }
  }

  private Map<String, Object> json(
      OfflineLog.Verification v, LockProbe.Status lock, ReplayedLog r) {
    WalVerification s = v.scan();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", !v.damaged() && r != null && r.problem() == null);
    m.put("directory", dir.toString());
    m.put("nodeId", s.nodeId());
    List<Object> segs = new ArrayList<>();
    for (SegmentInfo i : s.segments()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("index", i.index());
      x.put("firstLsn", i.firstLsn());
      x.put("lastLsn", i.lastLsn());
      x.put("bytes", size(segmentFile(i)));
      x.put("file", segmentFile(i).getFileName().toString());
      segs.add(x);
    }
    m.put("segments", segs);
    m.put("firstLsn", s.firstLsn());
    m.put("lastLsn", s.lastLsn());
    m.put("tornTail", s.tornTail());
    m.put("damage", s.damage().isEmpty() && v.damaged() ? List.of(v.strictFailure()) : s.damage());
    m.put("lock", LogVerify.lockJson(lock));
    if (r == null) {
      return m;
    }
    List<Object> cps = new ArrayList<>();
    for (ReplayedLog.CheckpointFile c : r.checkpoints()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("lsn", c.lsn());
      x.put("valid", c.error() == null);
      x.put("epoch", c.checkpoint() == null ? null : c.checkpoint().epoch());
      x.put("nodeId", c.checkpoint() == null ? null : c.checkpoint().nodeId());
      x.put("error", c.error());
      cps.add(x);
    }
    m.put("checkpoints", cps);
    m.put(
        "replayFromCheckpoint",
        r.start().flatMap(x -> x.checkpoint()).map(Checkpoint::lsn).orElse(null));
    m.put("replayFromLsn", r.start().map(x -> x.fromLsn()).orElse(null));
    m.put("replayProblem", r.problem());
    Map<String, Object> counts = new LinkedHashMap<>();
    for (TxRecordType t : TxRecordType.values()) {
      counts.put(t.name(), r.recordsByType().getOrDefault(t, 0));
    }
    counts.put("other", r.otherRecords());
    m.put("recordsReplayed", counts);
    LogState st = r.state();
    if (st != null) {
      m.put("epoch", st.epoch());
      m.put("resources", st.resources().size());
      List<Object> decided = new ArrayList<>();
      st.decided().values().stream()
          .sorted(Comparator.comparingLong(LogState.DecidedTransaction::committingLsn))
          .forEach(
              t -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("gtrid", t.gtrid().toString());
                x.put("committingLsn", t.committingLsn());
                x.put("branches", branchesJson(t.branches()));
                decided.add(x);
              });
      m.put("decided", decided);
      List<Object> begun = new ArrayList<>();
      st.begunOnly().values().stream()
          .sorted(Comparator.comparing(t -> t.gtrid().toString()))
          .forEach(
              t -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("gtrid", t.gtrid().toString());
                x.put("branches", branchesJson(t.branches()));
                begun.add(x);
              });
      m.put("begunUndecided", begun);
      List<Object> heur = new ArrayList<>();
      for (LogState.HeuristicEntry e : st.heuristics()) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("gtrid", e.gtrid().toString());
        x.put("branch", RecordView.branchJson(e.branch()));
        x.put("outcome", e.outcome().name());
        x.put("lsn", e.lsn());
        heur.add(x);
      }
      m.put("heuristics", heur);
      m.put("anomalies", st.anomalies());
    }
    return m;
  }

  private static String startText(ReplayedLog r) {
    if (r.start().isEmpty()) {
      return "impossible";
    }
    var start = r.start().get();
    return start.checkpoint().isPresent()
        ? "checkpoint at LSN "
            + start.checkpoint().get().lsn()
            + ", then LSN "
            + start.fromLsn()
            + " onward"
        : "LSN 1 (no checkpoint)";
  }

  private static String branches(List<Branch> branches) {
    List<String> out = new ArrayList<>();
    for (Branch b : branches) {
      out.add(RecordView.branch(b));
    }
    return String.join(",", out);
  }

  private static List<Object> branchesJson(List<Branch> branches) {
    List<Object> out = new ArrayList<>();
    for (Branch b : branches) {
      out.add(RecordView.branchJson(b));
    }
    return out;
  }

  /** The segment's file (wal/FORMAT.md: the index in 20 digits, {@code .wal}). */
  private Path segmentFile(SegmentInfo i) {
    return dir.resolve(String.format("%020d.wal", i.index()));
  }

  private static Object size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return null;
    }
  }
}
