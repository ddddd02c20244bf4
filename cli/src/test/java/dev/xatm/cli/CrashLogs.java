package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.crash.CrashChild;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Logs made by real crashes: jta-tm's {@link CrashChild} runs two-branch transactions on a real WAL
 * (node {@code crash-node}, 64 KiB segments) in a child JVM, and dies by {@code Runtime.halt} at a
 * protocol point or by SIGKILL.
 */
final class CrashLogs {
  static final String NODE = "crash-node";

  private CrashLogs() {}

  private static Process child(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("-Xshare:auto");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.add(CrashChild.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  /** What a halted child printed: the gtrids it began, in order. */
  record Halted(List<String> begun) {
    String crashed() {
      return begun.get(begun.size() - 1);
    }
  }

  /** Halts the child at the {@code hit}-th pass of {@code point} (transactions of 2 branches). */
  static Halted halt(Path dir, Failpoint point, int hit) throws Exception {
    Process p = child("halt", dir.toString(), point.name(), Integer.toString(hit));
    List<String> begun = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith("BEGIN ")) {
          begun.add(line.substring(6));
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child exited");
    assertEquals(77, p.exitValue(), "child halted at " + point);
    return new Halted(begun);
  }

  /** A child committing until killed; it holds the log's lock while it runs. */
  static final class Running implements AutoCloseable {
    private final Process process;
    private final List<String> decided = Collections.synchronizedList(new ArrayList<>());
    private final List<String> begun = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;

    Running(Path dir) throws IOException {
      process = child("run", dir.toString());
      reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.startsWith("DECIDED ")) {
                      decided.add(line.substring(8));
                      synchronized (this) {
                        notifyAll();
                      }
                    } else if (line.startsWith("BEGIN ")) {
                      begun.add(line.substring(6));
                    }
                  }
                } catch (IOException e) {
                  // the pipe closes when the child dies
                }
                synchronized (this) {
                  notifyAll();
                }
              },
              "crash-child-reader");
      reader.setDaemon(true);
      reader.start();
    }

    int decidedCount() {
      return decided.size();
    }

    long pid() {
      return process.pid();
    }

    /** Waits until the child has durably decided {@code n} transactions. */
    void awaitDecided(int n) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      synchronized (this) {
        while (decided.size() < n) {
          assertTrue(process.isAlive(), "child died early");
          long left = deadline - System.nanoTime();
          assertTrue(left > 0, "child decided only " + decided.size() + " of " + n);
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
      }
    }

    /**
     * Waits, checking after every decided transaction, until {@code condition} holds (for example:
     * a checkpoint was written, GC deleted the first segment); the disk decides when, not a count.
     */
    void awaitDecidedUntil(java.util.function.BooleanSupplier condition)
        throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      synchronized (this) {
        while (!condition.getAsBoolean()) {
          assertTrue(process.isAlive(), "child died early");
          long left = deadline - System.nanoTime();
          assertTrue(left > 0, "condition not reached after " + decided.size() + " decided");
          TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
      }
    }

    List<String> begun() {
      synchronized (begun) {
        return List.copyOf(begun);
      }
    }

    /** SIGKILL, then waits for the child and its output. */
    void kill() throws InterruptedException {
      process.toHandle().destroyForcibly();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS));
      reader.join(60_000);
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        kill();
      }
    }
  }

  /** Whether the directory holds a checkpoint file (snapshot/FORMAT.md). */
  static boolean hasCheckpoint(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false; // not created yet
    }
    try {
      return !new dev.xatm.snapshot.CheckpointStore(
              dev.xatm.wal.storage.FileSystemStorage.INSTANCE, dir)
          .list()
          .isEmpty();
    } catch (dev.xatm.snapshot.SnapshotException e) {
      return false; // listed while the child was writing; the caller polls again
    }
  }

  static Path segment(Path dir, long index) {
    return dir.resolve(String.format("%020d.wal", index));
  }

  /** Copies a log directory (files only; the lock file too, as an operator's cp -r would). */
  static Path copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path p : files.toList()) {
        Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    return to;
  }

  /**
   * Flips one byte inside a record in the middle of a segment: the {@code n}-th occurrence of the
   * node id (the segment header holds the first, then every gtrid carries one), so valid records
   * follow the damaged one and it is damage, not a torn tail. Returns the offset.
   */
  static long damageRecord(Path segment, int n) throws IOException {
    byte[] b = Files.readAllBytes(segment);
    byte[] needle = NODE.getBytes(StandardCharsets.US_ASCII);
    int found = 0;
    for (int i = 0; i + needle.length <= b.length; i++) {
      if (java.util.Arrays.equals(b, i, i + needle.length, needle, 0, needle.length)
          && ++found == n) {
        b[i + 2] ^= 0x5A;
        Files.write(segment, b);
        return i + 2;
      }
    }
    throw new AssertionError("occurrence " + n + " of the node id not found in " + segment);
  }
}
