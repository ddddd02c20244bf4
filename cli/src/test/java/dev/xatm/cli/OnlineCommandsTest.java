package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online commands against a transaction manager running in a child JVM ({@link OnlineTmChild}):
 * attach by pid, list, commit, clear, run a pass; and the refusal when the TM runs with operations
 * off (the default).
 */
class OnlineCommandsTest {
  @TempDir Path tmp;

  /** The child TM; closing its stdin ends it. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final String pid;
    final String inDoubt;

    Child(Path dir, String node, boolean operations) throws Exception {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add(OnlineTmChild.class.getName());
      cmd.add(dir.toString());
      cmd.add(node);
      cmd.add(Boolean.toString(operations));
      process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String line = r.readLine();
      while (line != null && !line.startsWith("READY ")) {
        line = r.readLine();
      }
      assertTrue(line != null, "the child TM did not start");
      String[] f = line.split(" ");
      pid = f[1];
      inDoubt = f[2];
      assertEquals(Long.toString(process.pid()), pid);
    }

    @Override
    public void close() throws Exception {
      process.getOutputStream().close();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static String node() {
    return "cli-online-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
    return (List<Map<String, Object>>) m.get(key);
  }

  @Test
  void attachesByPidListsCommitsAndClears() throws Exception {
    String node = node();
    try (Child c = new Child(tmp.resolve("log"), node, true)) {
      Cli.Result json = Cli.run("indoubt", "list", "--pid", c.pid, "--json");
      assertEquals(ExitCodes.OK, json.code(), json.toString());
      Map<String, Object> m = MiniJson.object(json.out());
      assertEquals(node, m.get("nodeId"));
      List<Map<String, Object>> inDoubt = list(m, "inDoubt");
      assertEquals(1, inDoubt.size(), json.out());
      assertEquals(c.inDoubt, inDoubt.get(0).get("xid"));
      assertEquals("rm-a", inDoubt.get(0).get("resourceId"));
      assertEquals("IN_DOUBT", inDoubt.get(0).get("result"));

      Cli.Result text = Cli.run("indoubt", "list", "--pid", c.pid);
      assertEquals(ExitCodes.OK, text.code(), text.toString());
      assertTrue(
          text.out().matches("(?s).*\\n  XID +RESOURCE +LOG STATE +RESULT +AGE +REASON\\n.*"),
          text.out());
      assertTrue(text.out().contains("\n  " + c.inDoubt + "  rm-a "), text.out());

      // The heuristic, listed in the form clear takes, then cleared with exactly that string.
      Cli.Result h = Cli.run("heuristic", "list", "--pid", c.pid, "--json");
      assertEquals(ExitCodes.OK, h.code(), h.toString());
      List<Map<String, Object>> hs = list(MiniJson.object(h.out()), "heuristics");
      assertEquals(1, hs.size(), h.out());
      String hx = (String) hs.get(0).get("xid");
      assertEquals("rm-b", hs.get(0).get("resourceId"));
      assertEquals("HAZARD", hs.get(0).get("outcome"));
      Cli.Result hText = Cli.run("heuristic", "list", "--pid", c.pid);
      assertTrue(hText.out().contains("\n  " + hx + "  rm-b"), hText.out());
      Cli.Result cleared = Cli.run("heuristic", "clear", hx, "--pid", c.pid);
      assertEquals(ExitCodes.OK, cleared.code(), cleared.toString());
      assertTrue(cleared.out().contains("cleared 1 heuristic outcome(s) of " + hx), cleared.out());
      assertEquals(
          List.of(),
          list(
              MiniJson.object(Cli.run("heuristic", "list", "--pid", c.pid, "--json").out()),
              "heuristics"));

      Cli.Result unknown = Cli.run("indoubt", "commit", node + "/1/77#1", "--pid", c.pid);
      assertEquals(ExitCodes.REFUSED, unknown.code(), unknown.toString());
      assertTrue(unknown.err().contains("not in doubt"), unknown.err());

      Cli.Result commit = Cli.run("indoubt", "commit", c.inDoubt, "--pid", c.pid, "--json");
      assertEquals(ExitCodes.OK, commit.code(), commit.toString());
      Map<String, Object> line = (Map<String, Object>) MiniJson.object(commit.out()).get("line");
      assertEquals("DONE", line.get("result"));
      assertEquals(
          List.of(),
          list(
              MiniJson.object(Cli.run("indoubt", "list", "--pid", c.pid, "--json").out()),
              "inDoubt"));

      Cli.Result pass = Cli.run("recovery", "run-pass", "--pid", c.pid);
      assertEquals(ExitCodes.OK, pass.code(), pass.toString());
      assertTrue(pass.out().contains("recovery pass of node " + node), pass.out());
      assertTrue(pass.out().contains("nothing unresolved"), pass.out());
    }
  }

  @Test
  void operationsAreRefusedNamingTheSettingWhenOff() throws Exception {
    try (Child c = new Child(tmp.resolve("log"), node(), false)) {
      for (String[] args :
          List.of(
              new String[] {"indoubt", "list", "--pid", c.pid},
              new String[] {"indoubt", "rollback", c.inDoubt, "--pid", c.pid},
              new String[] {"heuristic", "clear", "x", "--pid", c.pid},
              new String[] {"recovery", "run-pass", "--pid", c.pid, "--json"})) {
        Cli.Result r = Cli.run(args);
        assertEquals(ExitCodes.REFUSED, r.code(), r.toString());
        assertTrue(r.err().contains("xatm.jmx.operations=false (the default)"), r.err());
      }
    }
  }

  @Test
  void aProcessThatIsNotThereIsUnreachable() {
    Cli.Result r = Cli.run("indoubt", "list", "--pid", "999999999");
    assertEquals(ExitCodes.UNREACHABLE, r.code(), r.toString());
    assertTrue(r.err().contains("cannot attach to process 999999999"), r.err());
  }
}
