package dev.xatm.cli;

import dev.xatm.tm.Gtrid;
import dev.xatm.tm.log.TxRecordType;
import dev.xatm.wal.WalCursor;
import dev.xatm.wal.WalException;
import dev.xatm.wal.WalRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code xatm log dump DIR}: the records of a stopped node's log, decoded by the TM's record codec,
 * streamed (a full log is millions of records). Exit 1 when a TM record does not decode or, with
 * {@code --accept-damage}, when the log is damaged.
 */
@Command(
    name = "dump",
    mixinStandardHelpOptions = true,
    description = {
      "Print the records of a stopped node's log, decoded (docs/tm-protocol.md), in LSN order.",
      "Exit 1: a TM record does not decode, or the log is damaged (run log verify; add"
          + " --accept-damage to read across the damage)."
    })
final class LogDump implements Callable<Integer>, Xatm.JsonOutput {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The log directory (xatm.log.dir).")
  Path dir;

  @Mixin LogOptions options;

  @Option(
      names = "--gtrid",
      paramLabel = "GTRID",
      split = ",",
      description = "Only records of these transactions, as printed (e.g. orders-1/3/17).")
  List<String> gtrids = new ArrayList<>();

  @Option(
      names = "--type",
      paramLabel = "TYPE",
      split = ",",
      description = "Only records of these types: ${COMPLETION-CANDIDATES} (any case).")
  List<TxRecordType> types = new ArrayList<>();

  @Option(names = "--from-lsn", paramLabel = "LSN", description = "First LSN (default: 1).")
  long fromLsn = 1;

  @Option(names = "--to-lsn", paramLabel = "LSN", description = "Last LSN (default: the end).")
  long toLsn = Long.MAX_VALUE;

  @Option(
      names = "--accept-damage",
      description = "Read across damage beyond a torn tail instead of refusing (exit 1).")
  boolean acceptDamage;

  @Option(names = "--json", description = "One JSON document on stdout.")
  boolean json;

  @Override
  public boolean json() {
    return json;
  }

  @Override
  public Integer call() throws CliException {
    if (fromLsn < 1 || toLsn < fromLsn) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--from-lsn must be at least 1 and --to-lsn at least --from-lsn (got "
              + fromLsn
              + ", "
              + toLsn
              + ")");
    }
    OfflineLog log = options.open(dir);
    log.requireStopped();
    Set<TxRecordType> typeFilter =
        types.isEmpty() ? EnumSet.allOf(TxRecordType.class) : EnumSet.copyOf(types);
    Set<String> gtridFilter = new HashSet<>(gtrids);
    boolean damaged = acceptDamage && log.verify().damaged();
    PrintWriter out = spec.commandLine().getOut();
    Printer printer = json ? new JsonPrinter(out, dir) : new TextPrinter(out);
    int shown = 0;
    int undecodable = 0;
    try (WalCursor c = log.read(fromLsn, acceptDamage)) {
      for (WalRecord r = c.next(); r != null && r.lsn() <= toLsn; r = c.next()) {
        RecordView v = RecordView.of(r);
        if (v.error() != null) {
          undecodable++;
        }
        if (!types.isEmpty() && (v.type().isEmpty() || !typeFilter.contains(v.type().get()))) {
          continue;
        }
        if (!gtridFilter.isEmpty()) {
          Gtrid g = v.gtrid();
          if (g == null || !gtridFilter.contains(g.toString())) {
            continue;
          }
        }
        printer.record(v);
        shown++;
      }
    } catch (WalException e) {
      throw log.io(e);
    }
    printer.end(shown, undecodable, damaged);
    if (undecodable > 0) {
      spec.commandLine()
          .getErr()
          .println("xatm: " + undecodable + " TM record(s) do not decode (shown as UNDECODABLE)");
    }
    return undecodable > 0 || damaged ? ExitCodes.DAMAGED : ExitCodes.OK;
  }

  private interface Printer {
    void record(RecordView v);

    void end(int shown, int undecodable, boolean damaged);
  }

  /**
   * Aligned columns without holding the output: a column widens when a wider cell comes and stays
   * wide, so a log of one node's gtrids aligns from the first line on.
   */
  private static final class TextPrinter implements Printer {
    private final PrintWriter out;
    private int lsnWidth = 6;
    private int typeWidth = "RESOURCE_REGISTERED".length();
    private int gtridWidth = 16;

    TextPrinter(PrintWriter out) {
      this.out = out;
      row("LSN", "TYPE", "GTRID", "DETAIL");
    }

    @Override
    public void record(RecordView v) {
      Gtrid g = v.gtrid();
      row(Long.toString(v.lsn()), v.typeName(), g == null ? "-" : g.toString(), v.detail());
    }

    private void row(String lsn, String type, String gtrid, String detail) {
      lsnWidth = Math.max(lsnWidth, lsn.length());
      typeWidth = Math.max(typeWidth, type.length());
      gtridWidth = Math.max(gtridWidth, gtrid.length());
      String l = " ".repeat(lsnWidth - lsn.length()) + lsn;
      out.println(l + "  " + pad(type, typeWidth) + "  " + pad(gtrid, gtridWidth) + "  " + detail);
    }

    private static String pad(String s, int w) {
      return s + " ".repeat(w - s.length());
    }

    @Override
    public void end(int shown, int undecodable, boolean damaged) {
      out.println(
          "("
              + shown
              + " record(s)"
              + (undecodable > 0 ? ", " + undecodable + " undecodable" : "")
              + (damaged ? "; the log is damaged: read across it (--accept-damage)" : "")
              + ")");
    }
  }

  /** {@code {"directory":..,"records":[..],"count":N,"undecodable":M,"damaged":b}}, streamed. */
  private static final class JsonPrinter implements Printer {
    private final PrintWriter out;
    private boolean first = true;

    JsonPrinter(PrintWriter out, Path dir) {
      this.out = out;
      out.print("{\"directory\":" + Json.write(dir.toString()) + ",\"records\":[");
    }

    @Override
    public void record(RecordView v) {
      out.println((first ? "" : ",") + Json.write(v.json()));
      first = false;
    }

    @Override
    public void end(int shown, int undecodable, boolean damaged) {
      out.println(
          "],\"count\":"
              + shown
              + ",\"undecodable\":"
              + undecodable
              + ",\"damaged\":"
              + damaged
              + "}");
    }
  }
}
