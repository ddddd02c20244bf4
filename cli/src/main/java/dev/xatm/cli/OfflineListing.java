package dev.xatm.cli;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.recovery.PreparedXid;
import dev.xatm.tm.recovery.RecoveryConfig;
import dev.xatm.tm.recovery.RecoveryInspection;
import dev.xatm.tm.recovery.RecoveryLogState;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The offline {@code indoubt list} and {@code foreign list}: one read-only scan of a stopped node's
 * resources ({@link StoppedNode#inspect()}), rendered as a table or JSON with the log state, what
 * the next start would do and why, the age when known, and the database's own form of the Xid. Exit
 * {@link ExitCodes#UNREACHABLE} when a resource could not be listed (the listing is incomplete; it
 * says which and why).
 *
 * <p>Not thread-safe; one command.
 */
final class OfflineListing {
  private final StoppedNode node;
  private final RecoveryInspection.Report report;
  private final Instant now = Instant.now();
  private final Map<String, Map<String, Instant>> pgPrepared = new HashMap<>();

  OfflineListing(StoppedNode node) {
    this.node = node;
    this.report = node.inspect();
  }

  RecoveryInspection.Report report() {
    return report;
  }

  int print(PrintWriter out, boolean json, boolean foreign) {
    Predicate<PreparedXid> wanted =
        foreign ? x -> x.kind() != PreparedXid.Kind.OURS : x -> x.kind() == PreparedXid.Kind.OURS;
    List<PreparedXid> xs = report.prepared().stream().filter(wanted).toList();
    if (json) {
      out.println(Json.write(json(xs, foreign)));
    } else {
      text(out, xs, foreign);
    }
    return report.unreachable().isEmpty() ? ExitCodes.OK : ExitCodes.UNREACHABLE;
  }

  private void text(PrintWriter out, List<PreparedXid> xs, boolean foreign) {
    out.println(
        (foreign
                ? "foreign prepared Xids (never touched) on the resources of node "
                : "prepared" + " Xids of node ")
            + report.nodeId()
            + ", log "
            + node.log.directory()
            + " (stopped; its next start takes epoch "
            + report.nextEpoch()
            + "), "
            + report.scanned().size()
            + " resource(s) listed"
            + (node.verification.damaged() ? "; THE LOG IS DAMAGED (xatm log verify)" : ""));
    if (xs.isEmpty()) {
      out.println(foreign ? "  none" : "  none: nothing of this node is prepared");
    } else if (foreign) {
      Table t = new Table("XID", "RESOURCE", "KIND", "OWNER", "DATABASE SHOWS", "WHY");
      for (PreparedXid x : xs) {
        t.row(x.xid(), x.resourceId(), x.kind(), owner(x), DatabaseForms.text(x), x.reason());
      }
      t.print(out, "  ");
    } else {
      Table t = new Table("XID", "RESOURCE", "LOG", "NEXT START", ">AGE", "DATABASE SHOWS", "WHY");
      for (PreparedXid x : xs) {
        t.row(
            x.xid(),
            x.resourceId(),
            logText(x),
            x.action() + (x.strictStartRefuses() ? " (a strict start refuses)" : ""),
            ageText(x),
            DatabaseForms.text(x),
            x.reason());
      }
      t.print(out, "  ");
      out.println(
          "Starting the node carries out NEXT START; LEAVE_ALONE lines wait for an operator:"
              + " start it and use xatm indoubt commit|rollback XID --pid PID"
              + " (docs/operations.md).");
    }
    unreachable(out);
  }

  private void unreachable(PrintWriter out) {
    if (report.unreachable().isEmpty()) {
      return;
    }
    out.println();
    out.println("NOT LISTED (the listing is incomplete):");
    Table t = new Table("RESOURCE", "URL", "WHY");
    for (RecoveryInspection.Unreachable u : report.unreachable()) {
      t.row(u.resourceId(), u.url(), u.reason());
    }
    t.print(out, "  ");
  }

  private Map<String, Object> json(List<PreparedXid> xs, boolean foreign) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", report.unreachable().isEmpty());
    m.put("nodeId", report.nodeId());
    m.put("logDir", node.log.directory().toString());
    m.put("logDamaged", node.verification.damaged());
    m.put("nextEpoch", report.nextEpoch());
    m.put("resourcesListed", report.scanned());
    List<Object> list = new ArrayList<>();
    for (PreparedXid x : xs) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("xid", x.xid());
      o.put("resourceId", x.resourceId());
      o.put("kind", x.kind().name());
      o.put("ownerNode", x.ownerNode());
      o.put("formatId", x.formatId());
      o.put("gtrid", java.util.HexFormat.of().formatHex(x.gtrid()));
      o.put("bqual", java.util.HexFormat.of().formatHex(x.bqual()));
      if (!foreign) {
        o.put("logState", x.logState().name());
        o.put("log", logText(x));
        o.put("nextStart", x.action().name());
        o.put("nextStartResult", x.result().name());
        o.put("strictStartRefuses", x.strictStartRefuses());
        Age a = age(x);
        o.put("ageSeconds", a == null ? null : a.seconds);
        o.put("ageIsUpperBound", a == null ? null : a.upperBound);
      }
      o.put("reason", x.reason());
      o.put("database", DatabaseForms.fields(x));
      list.add(o);
    }
    m.put(foreign ? "foreign" : "prepared", list);
    List<Object> un = new ArrayList<>();
    for (RecoveryInspection.Unreachable u : report.unreachable()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("resourceId", u.resourceId());
      o.put("url", u.url());
      o.put("reason", u.reason());
      un.add(o);
    }
    m.put("notListed", un);
    return m;
  }

  private static String owner(PreparedXid x) {
    if (x.ownerNode() != null) {
      return "xatm node " + x.ownerNode();
    }
    return String.format("format id 0x%08x", x.formatId());
  }

  /** decided / begun / kept in doubt / unknown, from this node's log. */
  private String logText(PreparedXid x) {
    RecoveryLogState s = x.logState();
    return switch (s) {
      case COMMITTING -> "decided (Committing, no End)";
      case BEGUN -> "begun, undecided";
      case ENDED_COMMITTED -> "ended committed";
      case ENDED_ROLLED_BACK -> "ended rolled back";
      case NONE -> keptInDoubt(x) ? "kept in doubt" : "unknown (no record)";
      default -> s.name();
    };
  }

  private boolean keptInDoubt(PreparedXid x) {
    return Gtrid.fromBytes(x.gtrid())
        .map(g -> node.state().keptInDoubt().containsKey(g))
        .orElse(false);
  }

  private record Age(long seconds, boolean upperBound) {}

  /**
   * PostgreSQL's {@code prepared} time when it can be read; else at most the time since its epoch
   * started (the EpochStarted record, if replay read it); else unknown.
   */
  private Age age(PreparedXid x) {
    if (DatabaseForms.Vendor.of(x.url()) == DatabaseForms.Vendor.POSTGRESQL) {
      Instant p = prepared(x).get(DatabaseForms.pgGid(x));
      if (p != null) {
        return new Age(Math.max(0, Duration.between(p, now).toSeconds()), false);
      }
    }
    Long started = node.replay.epochStartedMillis().get(x.epoch());
    if (started != null) {
      return new Age(
          Math.max(0, Duration.between(Instant.ofEpochMilli(started), now).toSeconds()), true);
    }
    return null;
  }

  private Map<String, Instant> prepared(PreparedXid x) {
    return pgPrepared.computeIfAbsent(
        x.resourceId(),
        id -> {
          RecoveryConfig.ResourceConfig rc = node.configured(id);
          return rc == null
              ? Map.of()
              : DatabaseForms.pgPrepared(x.url(), rc.user(), rc.password());
        });
  }

  private String ageText(PreparedXid x) {
    Age a = age(x);
    if (a == null) {
      return null;
    }
    return (a.upperBound ? "<=" : "") + duration(a.seconds);
  }

  static String duration(long s) {
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
    }
    if (s < 86400) {
      return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
    }
    return s / 86400 + "d" + (s % 86400 / 3600 == 0 ? "" : s % 86400 / 3600 + "h");
  }
}
