package dev.xatm.bench.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Voluntary and involuntary context switches of this JVM's threads over one measurement window,
 * from Linux's per-thread counters in {@code /proc/self/task/<tid>/status}.
 *
 * <p>A thread's counters vanish with the thread, so a window read only at its two ends misses every
 * thread that ended in between. That is what made the first figures of issue 15 implausible: the
 * load threads stop as soon as the window closes, and most of them were gone by the time the
 * closing reading came. Hence three sources here:
 *
 * <ul>
 *   <li>Load threads read their own counters ({@code /proc/thread-self/status}) when they enter the
 *       window and again when they leave it, before they end ({@link #enter}, {@link #leave}).
 *   <li>Every other thread is read when the window opens, at each {@link #sample} and when it
 *       closes. One that ends inside the window counts up to its last reading; one that starts
 *       inside it counts from zero (a new thread's counters start at zero).
 *   <li>A thread that starts and ends between two readings is not seen at all. {@link
 *       Totals#unseen} is a lower bound on how many there were (Java threads started minus new
 *       threads seen; new native JVM threads can hide some), so a figure with {@code unseen > 0} is
 *       known to be low.
 * </ul>
 *
 * The thread that opens the window is left out: its sleeping and sampling are the harness, not the
 * contender.
 *
 * <p>Threading: {@link #open}, {@link #sample}, {@link #close} and {@link #totals} on the measuring
 * thread; {@link #enter} on any thread after {@code open} (LoadRun's workers enter once they see
 * the measurement phase, which is set after {@code open}), and {@link #leave} on the thread that
 * entered. {@code totals} after {@code close} and after every thread that entered has left.
 */
final class ContextSwitches {
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final Path OWN = Path.of("/proc/thread-self/status");

  /** Context switch counters of one thread, or their difference over a window. */
  record Counts(long voluntary, long involuntary) {
    static final Counts ZERO = new Counts(0, 0);

    Counts minus(Counts earlier) {
      return new Counts(voluntary - earlier.voluntary, involuntary - earlier.involuntary);
    }

    Counts plus(Counts other) {
      return new Counts(voluntary + other.voluntary, involuntary + other.involuntary);
    }
  }

  /** What a thread read when it entered the window; handed back to {@link #leave}. */
  record Entered(int tid, Counts counts) {}

  /**
   * The window's sums: {@code all} over every thread counted; {@code byThread} per thread id;
   * {@code selfRead} threads that read themselves on entering and leaving; {@code sampled} other
   * threads; {@code ended} sampled threads that ended inside the window (counted up to their last
   * reading); {@code unseen} the lower bound on threads that came and went between two readings;
   * {@code problem} why the sums cannot be trusted, or null.
   */
  record Totals(
      Counts all,
      Map<Integer, Counts> byThread,
      int selfRead,
      int sampled,
      int ended,
      long unseen,
      String problem) {
    /** One line for the benchmark's output. */
    String describe() {
      return String.format(
          "%d load threads self-read, %d others sampled (%d ended in the window), %d unseen%s",
          selfRead, sampled, ended, unseen, problem == null ? "" : "; NOT TRUSTWORTHY: " + problem);
    }
  }

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Set<Integer> entered = ConcurrentHashMap.newKeySet();
  private final Map<Integer, Counts> selfRead = new ConcurrentHashMap<>();
  private final Queue<String> problems = new ConcurrentLinkedQueue<>();
  private Map<Integer, Counts> atOpen;
  private final Map<Integer, Counts> latest = new HashMap<>();
  private Set<Integer> listedAtClose;
  private int measuringTid;
  private long startedAtOpen;
  private long startedAtClose;

  /** True where the per-thread counters exist (Linux). */
  static boolean available() {
    return Files.isReadable(OWN);
  }

  /** Reads every thread but the calling one: the window's start. */
  void open() {
    startedAtOpen = threads.getTotalStartedThreadCount();
    try {
      measuringTid = readOwn().tid();
      atOpen = Map.copyOf(list());
    } catch (IOException e) {
      problems.add("cannot read " + TASKS + ": " + e);
      atOpen = Map.of();
    }
    latest.putAll(atOpen);
  }

  /** Reads every thread that has not entered (their own readings replace the samples). */
  void sample() {
    try {
      latest.putAll(list());
    } catch (IOException e) {
      problems.add("cannot list " + TASKS + ": " + e);
    }
  }

  /** The window's end for every thread that has not entered; then {@link #totals}. */
  void close() {
    startedAtClose = threads.getTotalStartedThreadCount();
    try {
      Map<Integer, Counts> last = list();
      latest.putAll(last);
      listedAtClose = last.keySet();
    } catch (IOException e) {
      problems.add("cannot list " + TASKS + ": " + e);
      listedAtClose = latest.keySet();
    }
  }

  /** The calling thread's reading on entering the window, or null if it cannot read itself. */
  Entered enter() {
    try {
      Entered e = readOwn();
      entered.add(e.tid());
      return e;
    } catch (IOException e) {
      problems.add("a load thread cannot read " + OWN + ": " + e);
      return null;
    }
  }

  /** The calling thread's reading on leaving; {@code e} is what its {@link #enter} returned. */
  void leave(Entered e) {
    if (e == null) {
      return;
    }
    try {
      Entered now = readOwn();
      if (now.tid() != e.tid()) {
        problems.add("thread " + e.tid() + " entered but " + now.tid() + " left");
        return;
      }
      selfRead.put(e.tid(), now.counts().minus(e.counts()));
    } catch (IOException ex) {
      problems.add("load thread " + e.tid() + " cannot read " + OWN + " on leaving: " + ex);
    }
  }

  /** The sums; after {@link #close} and after every thread that entered has left. */
  Totals totals() {
    Map<Integer, Counts> byThread = new HashMap<>(selfRead);
    for (int tid : entered) {
      if (!selfRead.containsKey(tid)) {
        problems.add("load thread " + tid + " entered the window but has no reading on leaving");
      }
    }
    int sampled = 0;
    int ended = 0;
    int newSeen = 0;
    for (Map.Entry<Integer, Counts> e : latest.entrySet()) {
      int tid = e.getKey();
      if (tid == measuringTid || entered.contains(tid)) {
        continue;
      }
      Counts before = atOpen.get(tid);
      if (before == null) {
        newSeen++;
      }
      byThread.put(tid, e.getValue().minus(before == null ? Counts.ZERO : before));
      sampled++;
      if (!listedAtClose.contains(tid)) {
        ended++;
      }
    }
    for (int tid : entered) {
      if (!atOpen.containsKey(tid)) {
        newSeen++;
      }
    }
    Counts all = Counts.ZERO;
    for (Counts c : byThread.values()) {
      all = all.plus(c);
    }
    long unseen = Math.max(0, startedAtClose - startedAtOpen - newSeen);
    return new Totals(
        all,
        Collections.unmodifiableMap(byThread),
        selfRead.size(),
        sampled,
        ended,
        unseen,
        problems.isEmpty() ? null : String.join("; ", new HashSet<>(problems)));
  }

  /** Counters of every thread of this process but the measuring one, by thread id. */
  private Map<Integer, Counts> list() throws IOException {
    Map<Integer, Counts> byTid = new HashMap<>();
    try (var tasks = Files.list(TASKS)) {
      for (Path task : tasks.toList()) {
        int tid = Integer.parseInt(task.getFileName().toString());
        if (tid == measuringTid || entered.contains(tid)) {
          continue;
        }
        try {
          byTid.put(tid, read(task.resolve("status")).counts());
        } catch (IOException endedMeanwhile) {
          // Ended between the listing and the read: its previous reading stands.
        }
      }
    }
    return byTid;
  }

  private static Entered readOwn() throws IOException {
    return read(OWN);
  }

  /**
   * Parses one {@code status} file. ISO-8859-1 because the {@code Name:} line holds the thread name
   * cut to 15 bytes, which may split a UTF-8 character; a strict decoder would throw and the thread
   * would silently drop out.
   */
  private static Entered read(Path status) throws IOException {
    int tid = -1;
    long voluntary = -1;
    long involuntary = -1;
    for (String line : Files.readAllLines(status, StandardCharsets.ISO_8859_1)) {
      if (line.startsWith("Pid:")) {
        tid = Integer.parseInt(value(line));
      } else if (line.startsWith("voluntary_ctxt_switches:")) {
        voluntary = Long.parseLong(value(line));
      } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
        involuntary = Long.parseLong(value(line));
      }
    }
    if (tid < 0 || voluntary < 0 || involuntary < 0) {
      throw new IOException(status + " has no Pid or context switch lines");
    }
    return new Entered(tid, new Counts(voluntary, involuntary));
  }

  private static String value(String line) {
    return line.substring(line.indexOf(':') + 1).trim();
  }
}
