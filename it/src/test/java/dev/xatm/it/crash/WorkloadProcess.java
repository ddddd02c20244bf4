package dev.xatm.it.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@link CrashWorkload} in a child JVM (the current {@code java} binary and this test's class
 * path, small heap, C1 only for a quick start). A reader thread collects every stdout line, so
 * lines printed before a halt or a SIGKILL are never lost; stderr goes to a file under {@code
 * target/crash-logs} for diagnosis.
 *
 * <p>Threading: {@link #lines()} and the waits may be called from any thread.
 */
public final class WorkloadProcess implements AutoCloseable {
  private final Process process;
  private final Thread reader;
  private final List<String> lines = new ArrayList<>();
  private final Path stderr;

  private WorkloadProcess(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    this.reader = new Thread(this::readStdout, "stdout-of-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts a workload; {@code name} names its stderr file. */
  public static WorkloadProcess start(String name, Map<String, String> args) throws IOException {
    return start(name, CrashWorkload.class, args);
  }

  /**
   * Starts {@code main} (a class with a {@code main(String[])} taking {@code key=value} arguments
   * and printing the {@link CrashWorkload} protocol) in a child JVM.
   */
  public static WorkloadProcess start(String name, Class<?> main, Map<String, String> args)
      throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xmx128m",
                "-Xss512k",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
    args.forEach((k, v) -> cmd.add(k + "=" + v));
    Path dir = Path.of("target", "crash-logs").toAbsolutePath();
    Files.createDirectories(dir);
    Path err = dir.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".stderr");
    Process p =
        new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(err.toFile())).start();
    p.getOutputStream().close();
    return new WorkloadProcess(p, err);
  }

  private void readStdout() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String l;
      while ((l = r.readLine()) != null) {
        synchronized (lines) {
          lines.add(l);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      synchronized (lines) {
        lines.add("# stdout closed: " + e);
      }
    } finally {
      synchronized (lines) {
        lines.notifyAll();
      }
    }
  }

  /** The file the child's stderr goes to. */
  public Path stderrFile() {
    return stderr;
  }

  public long pid() {
    return process.pid();
  }

  /** Every line read so far. */
  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Number of lines read so far that match. */
  public long count(Predicate<String> p) {
    synchronized (lines) {
      return lines.stream().filter(p).count();
    }
  }

  /**
   * Waits until {@code atLeast} lines match, failing (not hanging) when the child exits first or
   * the time is up.
   */
  public void awaitLines(Predicate<String> p, long atLeast, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (lines) {
      while (lines.stream().filter(p).count() < atLeast) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (!process.isAlive() && !reader.isAlive()) {
          throw new AssertionError(
              "the workload exited ("
                  + process.exitValue()
                  + ") before the awaited line; "
                  + tail());
        }
        if (left <= 0) {
          throw new AssertionError("no awaited line within " + timeoutMillis + " ms; " + tail());
        }
        lines.wait(Math.min(left, 200));
      }
    }
  }

  /** Waits for the child to exit by itself; returns its exit status. */
  public int awaitExit(long timeoutMillis) throws InterruptedException {
    if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
      kill();
      throw new AssertionError(
          "the workload did not exit within " + timeoutMillis + " ms (killed); " + tail());
    }
    reader.join(10_000);
    return process.exitValue();
  }

  /**
   * SIGKILL through the process handle (which, unlike {@link Process#destroyForcibly()}, leaves the
   * stdout pipe to the reader, so every line printed before the kill is still read), then waits
   * until the process is gone and its output drained.
   */
  public void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    reader.join(10_000);
  }

  /** The parsed transcript; call after the process is gone. */
  public Transcript transcript() {
    return Transcript.parse(lines());
  }

  /** Last stdout lines and the stderr file, for failure messages. */
  public String tail() {
    List<String> l = lines();
    String err;
    try {
      List<String> e = Files.readAllLines(stderr, StandardCharsets.UTF_8);
      err = String.join("\n  ", e.subList(Math.max(0, e.size() - 30), e.size()));
    } catch (IOException x) {
      err = "(stderr unreadable: " + x + ")";
    }
    return "last stdout: "
        + l.subList(Math.max(0, l.size() - 10), l.size())
        + "\nstderr ("
        + stderr
        + "):\n  "
        + err;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}
