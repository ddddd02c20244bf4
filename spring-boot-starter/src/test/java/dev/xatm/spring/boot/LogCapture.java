package dev.xatm.spring.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;

/**
 * Every JUL record (what {@code System.Logger}, Spring and Boot log to in the starter's unit
 * tests), formatted with its throwable, from the moment Boot has set up logging (Boot's {@code
 * JavaLoggingSystem} resets JUL's handlers then) until {@link #close()}. Records of other tests
 * running at the same time may be captured too; callers look only for text of their own.
 *
 * <p>Thread-safe.
 */
final class LogCapture implements ApplicationListener<ApplicationEvent>, Ordered {
  private final List<String> lines = new ArrayList<>();
  private final SimpleFormatter formatter = new SimpleFormatter();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          String line = formatter.format(r);
          synchronized (lines) {
            lines.add(line);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  /** Held strongly: JUL keeps loggers weakly, and the level set here must stay until close. */
  private final Logger xatm = Logger.getLogger("dev.xatm");

  private Level xatmLevel;
  private volatile boolean attached;

  @Override
  public void onApplicationEvent(ApplicationEvent event) {
    if (event instanceof ApplicationEnvironmentPreparedEvent) {
      start(); // xatm's debug lines too
    }
  }

  /** Starts capturing now (a context started without Boot's logging system). */
  LogCapture start() {
    if (!attached) {
      handler.setLevel(Level.ALL);
      xatmLevel = xatm.getLevel();
      xatm.setLevel(Level.ALL);
      Logger.getLogger("").addHandler(handler);
      attached = true;
    }
    return this;
  }

  /** After Boot's LoggingApplicationListener (HIGHEST_PRECEDENCE + 20). */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }

  void close() {
    Logger.getLogger("").removeHandler(handler);
    if (attached) {
      xatm.setLevel(xatmLevel);
    }
  }

  /** Everything captured, one formatted record after the other. */
  String text() {
    synchronized (lines) {
      return String.join("", lines);
    }
  }
}
