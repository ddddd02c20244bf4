package dev.xatm.tm.crash;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import dev.xatm.tm.testing.FakeXAResource;
import dev.xatm.tm.testing.Journal;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child JVM of {@link CrashTest}: runs two-branch transactions against fake resources on a real
 * WAL and reports on stdout. Modes:
 *
 * <ul>
 *   <li>{@code halt <dir> <FAILPOINT> <hit>}: {@code Runtime.halt(77)} at that hit of the point;
 *       prints {@code BEGIN <gtrid>} before each commit.
 *   <li>{@code run <dir>}: commits until killed; also prints {@code DECIDED <gtrid>} once
 *       Committing is durable.
 * </ul>
 */
public final class CrashChild {
  static final int HALT_STATUS = 77;

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    String mode = args[0];
    Path dir = Path.of(args[1]);
    Failpoints fp = new Failpoints();
    if (mode.equals("halt")) {
      Failpoint point = Failpoint.valueOf(args[2]);
      int hit = Integer.parseInt(args[3]);
      fp.arm(
          point,
          Failpoints.onHit(
              hit,
              (p, g, b) -> {
                out.println("HALT " + g + " " + p + " " + b);
                out.flush();
                Runtime.getRuntime().halt(HALT_STATUS);
              }));
    } else {
      fp.arm(
          Failpoint.AFTER_COMMITTING_DURABLE,
          (p, g, b) -> {
            synchronized (out) {
              out.println("DECIDED " + g);
              out.flush();
            }
          });
    }
    XatmConfig config =
        XatmConfig.builder()
            .nodeId("crash-node")
            .logDir(dir)
            .segmentSize(64 * 1024)
            .installAsDefault(false)
            .build();
    Journal journal = new Journal();
    FakeXAResource a = new FakeXAResource("a", journal);
    FakeXAResource b = new FakeXAResource("b", journal);
    try (XatmTransactionManager tm =
        XatmTransactionManager.builder(config).failpoints(fp).start()) {
      int count = mode.equals("halt") ? 5 : Integer.MAX_VALUE;
      for (int i = 0; i < count; i++) {
        tm.begin();
        tm.getTransaction().enlistResource(a);
        tm.getTransaction().enlistResource(b);
        synchronized (out) {
          out.println("BEGIN " + tm.getTransactionKey());
          out.flush();
        }
        tm.commit();
      }
    }
    out.println("DONE");
    out.flush();
  }
}
