package dev.xatm.it.crash;

import dev.xatm.tm.Gtrid;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@link CrashWorkload} said before it died: the transfers it began (with their gtrids), the
 * ones whose commit was acknowledged, the ones that failed, and where it halted.
 */
public record Transcript(
    Map<String, Gtrid> begun,
    Set<String> acked,
    Set<String> failed,
    Optional<Halt> halt,
    List<Halt> parked,
    boolean done) {

  /** A failpoint hit that halted (or parked) the child. */
  public record Halt(String point, Gtrid gtrid, int branch) {}

  static Transcript parse(List<String> lines) {
    Map<String, Gtrid> begun = new LinkedHashMap<>();
    Set<String> acked = new LinkedHashSet<>();
    Set<String> failed = new LinkedHashSet<>();
    Halt halt = null;
    List<Halt> parked = new ArrayList<>();
    boolean done = false;
    for (String l : lines) {
      String[] f = l.split(" ", 4);
      switch (f[0]) {
        case "BEGIN" -> begun.put(f[1], CrashLog.parseGtrid(f[2]));
        case "ACK" -> acked.add(f[1]);
        case "FAIL" -> failed.add(f[1]);
        case "HALT" -> halt = new Halt(f[1], CrashLog.parseGtrid(f[2]), Integer.parseInt(f[3]));
        case "PARKED" ->
            parked.add(new Halt(f[1], CrashLog.parseGtrid(f[2]), Integer.parseInt(f[3])));
        case "DONE" -> done = true;
        default -> {
          // READY and diagnostics
        }
      }
    }
    return new Transcript(begun, acked, failed, Optional.ofNullable(halt), parked, done);
  }

  @Override
  public String toString() {
    return "begun="
        + begun.size()
        + " acked="
        + acked.size()
        + " failed="
        + failed.size()
        + " halt="
        + halt.map(Halt::toString).orElse("-")
        + " parked="
        + parked.size();
  }
}
