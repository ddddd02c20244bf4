package dev.xatm.tm.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures the JUL records of one logger (and its children) while open, at every level down to
 * FINEST; xatm logs through {@link System.Logger}, whose default backend is JUL. Restores the
 * logger's level on close. Thread-safe.
 */
public final class LogCapture implements AutoCloseable {

  /**
   * One captured record: level, the message with its parameters filled in, the stack (or null), and
   * {@code allText}: the raw message, every parameter and the printed stack trace of the thrown
   * (every cause, suppressed and {@code SQLException.getNextException} included), for tests that a
   * text appears nowhere in a record.
   */
  public record Line(Level level, String logger, String message, Throwable thrown, String allText) {
    @Override
    public String toString() {
      return level + " " + logger + ": " + message + (thrown == null ? "" : " [stack]");
    }
  }

  private final Logger logger;
  private final Level previous;
  private final List<Line> lines = new ArrayList<>();
  private final Handler handler;

  private LogCapture(String name) {
    this.logger = Logger.getLogger(name);
    this.previous = logger.getLevel();
    SimpleFormatter formatter = new SimpleFormatter();
    this.handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            Line line =
                new Line(
                    r.getLevel(),
                    r.getLoggerName(),
                    formatter.formatMessage(r),
                    r.getThrown(),
                    allText(r, formatter));
            synchronized (lines) {
              lines.add(line);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    handler.setLevel(Level.ALL);
    logger.setLevel(Level.ALL);
    logger.addHandler(handler);
  }

  private static String allText(LogRecord r, SimpleFormatter formatter) {
    StringBuilder b = new StringBuilder();
    b.append(r.getMessage()).append('\n').append(formatter.formatMessage(r)).append('\n');
    if (r.getParameters() != null) {
      for (Object p : r.getParameters()) {
        b.append(p).append('\n');
      }
    }
    if (r.getThrown() != null) {
      b.append(stackText(r.getThrown()));
    }
    return b.toString();
  }

  /** The printed stack trace of {@code t}, and of each {@code SQLException.getNextException}. */
  public static String stackText(Throwable t) {
    StringWriter w = new StringWriter();
    PrintWriter out = new PrintWriter(w);
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Throwable> todo = new ArrayDeque<>(List.of(t));
    while (!todo.isEmpty()) {
      Throwable next = todo.pop();
      if (!seen.add(next)) {
        continue;
      }
      next.printStackTrace(out); // causes and suppressed, with their messages
      for (Throwable c = next; c != null; c = c.getCause()) {
        if (c instanceof SQLException sql && sql.getNextException() != null) {
          todo.push(sql.getNextException());
        }
      }
    }
    out.flush();
    return w.toString();
  }

  /** The records in which {@code text} appears anywhere (see {@link Line#allText()}). */
  public List<Line> showing(String text) {
    return lines().stream().filter(l -> l.allText().contains(text)).toList();
  }

  /** Captures every logger of the process (the JUL root), at every level. */
  public static LogCapture all() {
    return new LogCapture("");
  }

  public static LogCapture of(String loggerName) {
    return new LogCapture(loggerName);
  }

  /** Every record so far. */
  public List<Line> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** The messages of the records at WARNING or above. */
  public List<String> warnings() {
    return lines().stream()
        .filter(l -> l.level().intValue() >= Level.WARNING.intValue())
        .map(Line::message)
        .toList();
  }

  /** The records at INFO or above (what a default console shows). */
  public List<Line> atInfoOrAbove() {
    List<Line> out = new ArrayList<>();
    for (Line l : lines()) {
      if (l.level().intValue() >= Level.INFO.intValue()) {
        out.add(l);
      }
    }
    return out;
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(previous);
  }
}
