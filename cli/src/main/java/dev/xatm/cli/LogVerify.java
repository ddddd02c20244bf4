package dev.xatm.cli;

import dev.xatm.wal.SegmentInfo;
import dev.xatm.wal.WalVerification;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code xatm log verify DIR}: the wal's open-time scan, read-only. Exit 0 when a start would
 * accept the log (a torn tail is the normal end of a crashed log and is reported, not counted as
 * damage), 1 with every damaged place listed when it would refuse.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Scan a stopped node's log read-only, as a start would: segment headers, the segment and LSN"
          + " chain, every record's CRC. Lists every damaged place.",
      "Exit 0: a start would accept the log (a torn tail after a crash is normal). Exit 1: damage"
          + " beyond a torn tail. Exit 3: a live process holds the log."
    })
final class LogVerify implements Callable<Integer>, Xatm.JsonOutput {
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
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", !v.damaged());
      m.put("directory", dir.toString());
      m.put("nodeId", s.nodeId());
      m.put("segments", segmentsJson(s.segments()));
      m.put("firstLsn", s.firstLsn());
      m.put("lastLsn", s.lastLsn());
      m.put("tornTail", s.tornTail());
      m.put("damage", damage(v));
      m.put("refusal", v.strictFailure());
      m.put("lock", lockJson(lock));
      out.println(Json.write(m));
    } else {
      List<String[]> p = new ArrayList<>();
      p.add(new String[] {"log", dir.toString()});
      p.add(new String[] {"result", v.damaged() ? "DAMAGED: a start would refuse this log" : "OK"});
      p.add(new String[] {"node id", String.valueOf(s.nodeId())});
      p.add(new String[] {"segments", segmentsText(s.segments())});
      p.add(new String[] {"LSNs", s.firstLsn() + ".." + s.lastLsn()});
      p.add(new String[] {"torn tail", s.tornTail() == null ? "none" : s.tornTail()});
      p.add(new String[] {"lock", lockText(lock)});
      Table.pairs(out, p);
      List<String> damage = damage(v);
      if (!damage.isEmpty()) {
        out.println("damage (" + damage.size() + "):");
        for (String d : damage) {
          out.println("  " + d);
        }
        out.println(
            "A start refuses this log. docs/operations.md, \"A damaged log\", says what to do.");
      }
    }
    return v.damaged() ? ExitCodes.DAMAGED : ExitCodes.OK;
  }

  /** Every damaged place; the strict refusal alone when the lenient scan could not go on. */
  private static List<String> damage(OfflineLog.Verification v) {
    List<String> d = new ArrayList<>(v.scan().damage());
    if (d.isEmpty() && v.strictFailure() != null) {
      d.add(v.strictFailure());
    }
    return d;
  }

  static String segmentsText(List<SegmentInfo> segments) {
    if (segments.isEmpty()) {
      return "none";
    }
    return segments.size()
        + " (index "
        + segments.get(0).index()
        + ".."
        + segments.get(segments.size() - 1).index()
        + ")";
  }

  static List<Object> segmentsJson(List<SegmentInfo> segments) {
    List<Object> out = new ArrayList<>();
    for (SegmentInfo i : segments) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", i.index());
      m.put("firstLsn", i.firstLsn());
      m.put("lastLsn", i.lastLsn());
      out.add(m);
    }
    return out;
  }

  static String lockText(LockProbe.Status lock) {
    return switch (lock.state()) {
      case NO_LOCK_FILE -> "no lock file";
      case FREE ->
          lock.holder().isEmpty()
              ? "free"
              : "free (left by " + lock.holder() + ", which is no longer running)";
      case HELD -> "held by " + lock.holder();
    };
  }

  static Map<String, Object> lockJson(LockProbe.Status lock) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("state", lock.state().name());
    m.put("lastHolder", lock.fields());
    return m;
  }
}
