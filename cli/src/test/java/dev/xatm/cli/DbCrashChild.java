package dev.xatm.cli;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.Failpoints;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;

/**
 * A node of the application on real databases, in its own JVM, for the offline database tests:
 * loads {@code xatm.properties} from {@code args[0]} as an application does; with {@code halt POINT
 * TABLE} it writes one row to TABLE on PostgreSQL and on MariaDB in one transaction and dies by
 * {@code Runtime.halt(77)} at POINT, leaving both branches prepared; with {@code hold} it starts,
 * prints {@code READY <pid>}, and runs until its stdin closes.
 */
public final class DbCrashChild {
  private DbCrashChild() {}

  public static void main(String[] args) throws Exception {
    XatmConfig config = XatmConfig.load(Map.of("xatm.config", args[0]), Map.of(), null);
    Failpoints fp = new Failpoints();
    if (args[1].equals("hold")) {
      try (XatmTransactionManager tm = XatmTransactionManager.builder(config).start()) {
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        while (System.in.read() >= 0) {
          // until the parent closes stdin
        }
      }
      return;
    }
    fp.arm(
        Failpoint.valueOf(args[2]),
        (p, g, b) -> {
          System.out.println("HALT " + g);
          System.out.flush();
          Runtime.getRuntime().halt(77);
        });
    XatmTransactionManager tm = XatmTransactionManager.builder(config).failpoints(fp).start();
    tm.begin();
    String pg = config.recovery().get("xatm.recovery.resource.pg.url");
    String maria = config.recovery().get("xatm.recovery.resource.maria.url");
    try (Connection p = DriverManager.getConnection(pg, "postgres", null);
        Connection m = DriverManager.getConnection(maria, "root", null);
        Statement ps = p.createStatement();
        Statement ms = m.createStatement()) {
      ps.executeUpdate("INSERT INTO " + args[3] + " VALUES (1)");
      ms.executeUpdate("INSERT INTO " + args[3] + " VALUES (1)");
    }
    tm.commit(); // halts at the failpoint
    throw new AssertionError("the failpoint did not halt");
  }
}
