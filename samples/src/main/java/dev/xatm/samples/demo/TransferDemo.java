package dev.xatm.samples.demo;

import dev.xatm.jdbc.XatmDataSource;
import dev.xatm.tm.XatmConfig;
import dev.xatm.tm.XatmTransactionManager;
import jakarta.transaction.UserTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The README demo: a money transfer across two embedded H2 file databases through {@code jdbc:xa:}
 * URLs under a {@link UserTransaction}, narrating what the transaction manager does. Run it with
 * {@code ./demo} from the repository root.
 *
 * <ul>
 *   <li>{@code ./demo} moves 100 from alice at bank-a to bob at bank-b;
 *   <li>{@code ./demo crash} does the same but halts the JVM right after the commit decision is
 *       durable and before any branch commits;
 *   <li>{@code ./demo recover} only starts the transaction manager (whose startup recovery finishes
 *       what a crash left) and shows the balances;
 *   <li>{@code ./demo reset} deletes {@code ./demo-data}.
 * </ul>
 *
 * <p>Everything lives under {@code ./demo-data} (relative to the working directory): the two
 * databases and the transaction log.
 */
public final class TransferDemo {
  static final int CRASH_EXIT_STATUS = 86;
  static final long AMOUNT = 100;

  private static final Path DATA = Path.of("demo-data");
  private static final String URL_A = "jdbc:xa:h2:file:./demo-data/bank-a";
  private static final String URL_B = "jdbc:xa:h2:file:./demo-data/bank-b";
  private static final String USER = "sa";
  private static final String PASSWORD = "";

  private TransferDemo() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length == 0 ? "transfer" : args[0];
    // The TM and driver log at INFO through java.util.logging; the demo narrates instead.
    Logger.getLogger("").setLevel(Level.WARNING);
    switch (mode) {
      case "transfer" -> run(false, true);
      case "crash" -> run(true, true);
      case "recover" -> run(false, false);
      case "reset" -> reset();
      default -> {
        System.err.println("usage: ./demo [crash | recover | reset]");
        System.exit(2);
      }
    }
  }

  private static XatmConfig config() {
    // The recovery resources make startup recovery able to reach both banks before any pool
    // exists; the URL and user must be the ones the pools use (same resource identity).
    return XatmConfig.builder()
        .nodeId("demo")
        .logDir(DATA.resolve("xatm-log"))
        .recovery("xatm.recovery.resource.bank-a.url", URL_A)
        .recovery("xatm.recovery.resource.bank-a.user", USER)
        .recovery("xatm.recovery.resource.bank-a.password", PASSWORD)
        .recovery("xatm.recovery.resource.bank-b.url", URL_B)
        .recovery("xatm.recovery.resource.bank-b.user", USER)
        .recovery("xatm.recovery.resource.bank-b.password", PASSWORD)
        .build();
  }

  private static void run(boolean crash, boolean transfer) throws Exception {
    Files.createDirectories(DATA);
    ProtocolNarrator narrator = new ProtocolNarrator(List.of("bank-a", "bank-b"));
    System.out.println(
        transfer
            ? "xatm demo: move "
                + AMOUNT
                + " from alice@bank-a to bob@bank-b in one JTA transaction"
            : "xatm demo: start the transaction manager (startup recovery), move no money");
    System.out.println("  bank-a: " + URL_A + "   (embedded H2 file database)");
    System.out.println("  bank-b: " + URL_B);
    System.out.println("  transaction log: " + DATA.resolve("xatm-log").toAbsolutePath());
    System.out.println();
    try (XatmTransactionManager tm =
        XatmTransactionManager.builder(config()).failpoints(narrator.failpoints(crash)).start()) {
      System.out.println(
          "started the transaction manager: node " + tm.nodeId() + ", epoch " + tm.epoch());
      boolean unresolved = StartupRecovery.print(tm);
      try (XatmDataSource a = pool(URL_A, tm);
          XatmDataSource b = pool(URL_B, tm)) {
        DemoBank bankA = new DemoBank("bank-a", "alice", URL_A, a, -1);
        DemoBank bankB = new DemoBank("bank-b", "bob", URL_B, b, +1);
        bankA.createIfMissing();
        bankB.createIfMissing();
        printBalances(transfer ? "before:" : "balances:", bankA, bankB);
        for (var decided : tm.startupLogState().decided().keySet()) {
          String id = decided.toString();
          System.out.printf(
              "  transfer %s (decided before the crash) is journaled in bank-a: %s, bank-b: %s%n",
              id, bankA.transferIds().contains(id), bankB.transferIds().contains(id));
        }
        if (transfer) {
          transfer(tm, bankA, bankB);
          printBalances("after: ", bankA, bankB);
        }
        if (!check(bankA, bankB) || unresolved) {
          System.exit(1);
        }
      }
    }
  }

  private static XatmDataSource pool(String url, XatmTransactionManager tm) throws SQLException {
    return XatmDataSource.builder().url(url).user(USER).password(PASSWORD).runtime(tm).build();
  }

  private static void transfer(UserTransaction ut, DemoBank from, DemoBank to) throws Exception {
    System.out.println();
    ut.begin();
    String id = String.valueOf(((XatmTransactionManager) ut).getTransactionKey());
    System.out.println("begin: transaction " + id);
    try (Connection ca = from.dataSource.getConnection();
        Connection cb = to.dataSource.getConnection()) {
      from.book(ca, id, AMOUNT);
      System.out.println(
          "  UPDATE alice -"
              + AMOUNT
              + " on bank-a: its connection enlisted as XA branch 1 (open branches in the"
              + " bank-a pool: "
              + ((XatmDataSource) from.dataSource).openBranches()
              + ")");
      to.book(cb, id, AMOUNT);
      System.out.println(
          "  UPDATE bob   +"
              + AMOUNT
              + " on bank-b: its connection enlisted as XA branch 2 (open branches in the"
              + " bank-b pool: "
              + ((XatmDataSource) to.dataSource).openBranches()
              + ")");
    } catch (SQLException | RuntimeException e) {
      ut.rollback();
      throw e;
    }
    // Closing the connections handed them back to the transaction; commit runs 2PC over both.
    System.out.println("commit: two branches, so two-phase commit");
    ut.commit();
    System.out.println("commit returned: the transfer is done in both banks");
  }

  private static void printBalances(String label, DemoBank a, DemoBank b) throws SQLException {
    DemoBank.Snapshot sa = a.read();
    DemoBank.Snapshot sb = b.read();
    System.out.printf(
        "%s alice@bank-a = %d, bob@bank-b = %d, total = %d (transfers journaled: bank-a %d,"
            + " bank-b %d)%n",
        label,
        sa.balance(),
        sb.balance(),
        sa.balance() + sb.balance(),
        sa.transfers(),
        sb.transfers());
  }

  /**
   * The exactly-once check: both banks journaled the same transfers, each balance is its opening
   * balance moved by exactly the journaled amounts, and no money appeared or vanished.
   */
  private static boolean check(DemoBank a, DemoBank b) throws SQLException {
    DemoBank.Snapshot sa = a.read();
    DemoBank.Snapshot sb = b.read();
    boolean sameTransfers = a.transferIds().equals(b.transferIds());
    boolean ok =
        sameTransfers
            && a.consistent(sa)
            && b.consistent(sb)
            && sa.balance() + sb.balance() == DemoBank.OPENING_BALANCE;
    System.out.println(
        ok
            ? "check: both banks journaled the same "
                + sa.transfers()
                + " transfer(s), each balance matches its journal, total "
                + DemoBank.OPENING_BALANCE
                + ": every transfer happened exactly once, in both banks"
            : "CHECK FAILED: journals equal: "
                + sameTransfers
                + ", bank-a matches its journal: "
                + a.consistent(sa)
                + ", bank-b matches its journal: "
                + b.consistent(sb)
                + ", total: "
                + (sa.balance() + sb.balance()));
    return ok;
  }

  private static void reset() throws IOException {
    if (Files.exists(DATA)) {
      try (Stream<Path> files = Files.walk(DATA)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    System.out.println("deleted " + DATA.toAbsolutePath());
  }
}
