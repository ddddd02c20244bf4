package dev.xatm.wal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts {@link WalChild} in a new JVM with this test's class path. */
final class ChildJvm implements AutoCloseable {

  final Process process;
  final BufferedReader stdout;

  ChildJvm(String... args) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                WalChild.class.getName()));
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    stdout =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** The next line, failing (not hanging) if the child died without printing one. */
  String line() throws IOException {
    String l = stdout.readLine();
    if (l == null) {
      throw new AssertionError("child exited early, exit code " + waitExit());
    }
    return l;
  }

  int waitExit() {
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * SIGKILL on Linux (through the process handle, which unlike {@link Process#destroyForcibly}
   * leaves the stdout pipe readable, so lines printed before the kill can still be drained), then
   * waits for the process to be gone.
   */
  void kill() {
    process.toHandle().destroyForcibly();
    waitExit();
  }

  @Override
  public void close() {
    kill();
  }
}
