package dev.xatm.tm.testing;

import dev.xatm.tm.cluster.DecisionMirror;
import dev.xatm.tm.cluster.MirrorException;
import dev.xatm.tm.cluster.MirrorRow;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link DecisionMirror} in memory, with the real one's rules: a decision is written once (a
 * tombstone or an earlier row wins), every write is refused once the epoch moved on, and a settle
 * tombstones an absent decision. Faults: the next decision fails with no answer, either written or
 * not; the database unreachable for every call.
 *
 * <p>Thread-safe (one lock). Calls are added to the journal as {@code mirror.<call>}.
 */
public final class FakeDecisionMirror implements DecisionMirror {
  private final Journal journal;
  private final Map<String, MirrorRow> rows = new LinkedHashMap<>();
  private boolean epochMoved;
  private boolean unreachable;
  private Boolean nextDecisionLost; // null: none; true: written, then no answer; false: not written

  public FakeDecisionMirror(Journal journal) {
    this.journal = journal;
  }

  /** A takeover bumped the lease epoch: every later write is refused. */
  public synchronized void moveEpoch() {
    epochMoved = true;
  }

  /** Every call fails with no answer while true. */
  public synchronized void unreachable(boolean down) {
    unreachable = down;
  }

  /** The next decision gets no answer; {@code written} says whether the row was committed. */
  public synchronized void loseNextAnswer(boolean written) {
    nextDecisionLost = written;
  }

  /** {@return the decision rows, not tombstones, by gtrid hex} */
  public synchronized List<String> decisions() {
    List<String> out = new ArrayList<>();
    rows.forEach(
        (k, r) -> {
          if (r.kind() == MirrorRow.Kind.DECISION && !r.aborted()) {
            out.add(k.substring(2));
          }
        });
    return out;
  }

  /** {@return whether the gtrid has a tombstone} */
  public synchronized boolean aborted(byte[] gtrid) {
    MirrorRow r = rows.get(key(MirrorRow.Kind.DECISION, gtrid));
    return r != null && r.aborted();
  }

  /** Puts a row as a peer or an earlier run would have. */
  public synchronized void add(MirrorRow row) {
    rows.put(key(row.kind(), row.key()), row);
  }

  @Override
  public synchronized boolean decide(byte[] gtrid, byte[] record) throws MirrorException {
    journal.add("mirror.decide");
    if (nextDecisionLost != null) {
      boolean written = nextDecisionLost;
      nextDecisionLost = null;
      if (written && !epochMoved) {
        rows.putIfAbsent(
            key(MirrorRow.Kind.DECISION, gtrid),
            new MirrorRow(MirrorRow.Kind.DECISION, gtrid, false, record));
      }
      throw new MirrorException("connection reset while committing", null);
    }
    down();
    if (epochMoved) {
      return false;
    }
    String k = key(MirrorRow.Kind.DECISION, gtrid);
    if (rows.containsKey(k)) {
      return false;
    }
    rows.put(k, new MirrorRow(MirrorRow.Kind.DECISION, gtrid, false, record));
    return true;
  }

  @Override
  public synchronized boolean settle(byte[] gtrid) throws MirrorException {
    journal.add("mirror.settle");
    down();
    rows.putIfAbsent(
        key(MirrorRow.Kind.DECISION, gtrid),
        new MirrorRow(MirrorRow.Kind.DECISION, gtrid, true, new byte[0]));
    return !rows.get(key(MirrorRow.Kind.DECISION, gtrid)).aborted();
  }

  @Override
  public synchronized void forget(byte[] gtrid) {
    journal.add("mirror.forget");
    rows.remove(key(MirrorRow.Kind.DECISION, gtrid));
  }

  @Override
  public synchronized void put(MirrorRow row) throws MirrorException {
    journal.add("mirror.put." + row.kind());
    down();
    if (epochMoved) {
      throw new MirrorException("lease epoch moved on", null);
    }
    rows.put(key(row.kind(), row.key()), row);
  }

  @Override
  public synchronized List<MirrorRow> rows() throws MirrorException {
    down();
    return List.copyOf(rows.values());
  }

  private void down() throws MirrorException {
    if (unreachable) {
      throw new MirrorException("connection refused", null);
    }
  }

  private static String key(MirrorRow.Kind kind, byte[] key) {
    return kind.code() + ":" + HexFormat.of().formatHex(key);
  }
}
