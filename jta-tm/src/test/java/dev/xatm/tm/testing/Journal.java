package dev.xatm.tm.testing;

import java.util.ArrayList;
import java.util.List;

/** An ordered, thread-safe record of what happened, shared by fakes and the log observer. */
public final class Journal {
  private final List<String> events = new ArrayList<>();

  public synchronized void add(String event) {
    events.add(event);
  }

  public synchronized List<String> events() {
    return List.copyOf(events);
  }

  /** Index of the first event equal to {@code event}, or -1. */
  public synchronized int indexOf(String event) {
    return events.indexOf(event);
  }

  /** Index of the first event starting with {@code prefix}, or -1. */
  public synchronized int indexOfPrefix(String prefix) {
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  public synchronized long count(String prefix) {
    return events.stream().filter(e -> e.startsWith(prefix)).count();
  }

  @Override
  public synchronized String toString() {
    return events.toString();
  }
}
