package dev.xatm.conformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.transaction.xa.Xid;

/**
 * The calls one case's fake resources and synchronizations saw, in order, as {@code
 * who.what(args)}. Xids appear as {@code x1}, {@code x2}, ... in order of first appearance, so the
 * sequences of two TMs (whose Xids differ) compare equal when they did the same thing.
 *
 * <p>Thread-safe (xatm runs phase-2 calls on its own threads).
 */
public final class CallLog {
  private final List<String> entries = new ArrayList<>();
  private final Map<List<Object>, String> labels = new HashMap<>();

  public synchronized void add(String who, String what) {
    entries.add(who + "." + what);
  }

  public synchronized String label(Xid xid) {
    List<Object> key =
        List.of(
            xid.getFormatId(),
            Arrays.toString(xid.getGlobalTransactionId()),
            Arrays.toString(xid.getBranchQualifier()));
    return labels.computeIfAbsent(key, k -> "x" + (labels.size() + 1));
  }

  /** Every entry, in order. */
  public synchronized List<String> all() {
    return List.copyOf(entries);
  }

  /**
   * The calls one resource or synchronization saw, without its name: {@code start(x1,TMNOFLAGS)}.
   */
  public synchronized List<String> of(String who) {
    List<String> out = new ArrayList<>();
    for (String e : entries) {
      if (e.startsWith(who + ".")) {
        out.add(e.substring(who.length() + 1));
      }
    }
    return out;
  }

  /** Index of the first entry equal to {@code entry}, or -1. */
  public synchronized int indexOf(String entry) {
    return entries.indexOf(entry);
  }

  @Override
  public synchronized String toString() {
    return entries.toString();
  }
}
