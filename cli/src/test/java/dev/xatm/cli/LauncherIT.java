package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar that {@code ./xatm} starts, run as its own JVM ({@code java -jar}): it must hold
 * picocli, the wal, snapshot and TM classes and msgpack, set the exit code, and print nothing but
 * its own findings (the modules' log lines are silenced).
 */
class LauncherIT {
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run jar(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-jar");
    cmd.add(System.getProperty("xatm.it.cli.jar"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread drain = new Thread(() -> copy(p.getErrorStream(), err));
    drain.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    drain.join();
    return new Run(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theRunnableJarVerifiesDumpsAndSetsExitCodes() throws Exception {
    Path log = tmp.resolve("log");
    CrashLogs.Halted halted = CrashLogs.halt(log, Failpoint.AFTER_COMMITTING_DURABLE, 3);

    Run ok = jar("log", "verify", log.toString());
    assertEquals(ExitCodes.OK, ok.code(), ok.toString());
    assertTrue(ok.out().contains("result     OK"), ok.out());
    assertEquals("", ok.err(), "no log lines of the modules");

    Run stat = jar("log", "stat", "--json", log.toString());
    assertEquals(ExitCodes.OK, stat.code(), stat.toString());
    Map<String, Object> m = MiniJson.object(stat.out());
    assertEquals(java.util.Set.of(halted.crashed()), LogStatTest.decided(m));

    Path copy = CrashLogs.copy(log, tmp.resolve("copy"));
    CrashLogs.damageRecord(CrashLogs.segment(copy, 1), 4);
    Run damaged = jar("log", "verify", copy.toString());
    assertEquals(ExitCodes.DAMAGED, damaged.code(), damaged.toString());
    assertEquals("", damaged.err(), "the scanner's 'WAL opened despite damage' is not printed");

    assertEquals(ExitCodes.USAGE, jar("log", "verify", tmp.resolve("none").toString()).code());
    Run help = jar("help");
    assertEquals(ExitCodes.OK, help.code());
    assertTrue(help.out().contains("Exit codes:"), help.out());
  }
}
