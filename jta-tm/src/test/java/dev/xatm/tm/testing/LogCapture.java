package dev.xatm.tm.testing;

import java.util.ArrayList;
import java.util.List;
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

  /** One captured record: level, the message with its parameters filled in, the stack (or null). */
  public record Line(Level level, String logger, String message, Throwable thrown) {
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
                    r.getLevel(), r.getLoggerName(), formatter.formatMessage(r), r.getThrown());
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
