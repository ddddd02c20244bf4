package dev.xatm.bench.tm;

import com.atomikos.datasource.xa.XATransactionalResource;
import com.atomikos.icatch.config.Configuration;
import com.atomikos.icatch.jta.UserTransactionManager;
import jakarta.transaction.TransactionManager;
import javax.transaction.xa.XAResource;

/**
 * Child JVM of {@link TmBench}: Atomikos 6 (transactions-jta, Jakarta build) with its file log in
 * {@code dir}, the same two instant resources, several thread counts. Atomikos reads its settings
 * once from system properties, hence a JVM of its own. Prints {@code RESULT atomikos <threads>
 * <tx/s>} lines, or {@code UNAVAILABLE atomikos <reason>}.
 *
 * <p>Settings changed from Atomikos' defaults, each because the benchmark needs it: the log
 * directory and TM name (one per run), {@code max_actives} unlimited (the default 50 refuses the
 * 64-thread point), the JTA timeout at 60 s (xatm's default). Everything else, durability included,
 * is Atomikos' default.
 *
 * <p>Usage: {@code AtomikosBench <dir> <seconds> <threads>...}
 */
public final class AtomikosBench {
  private AtomikosBench() {}

  /** Sets Atomikos' JVM-global configuration; call before its first use. */
  public static void configure(String dir, String name) {
    System.setProperty("com.atomikos.icatch.log_base_dir", dir);
    System.setProperty("com.atomikos.icatch.output_dir", dir);
    System.setProperty("com.atomikos.icatch.log_base_name", name);
    System.setProperty("com.atomikos.icatch.tm_unique_name", name);
    System.setProperty("com.atomikos.icatch.max_actives", "-1");
    System.setProperty("com.atomikos.icatch.default_jta_timeout", "60000");
    System.setProperty("com.atomikos.icatch.max_timeout", "0");
  }

  public static void main(String[] args) throws Exception {
    String dir = args[0];
    double seconds = Double.parseDouble(args[1]);
    UserTransactionManager utm;
    try {
      configure(dir, "atomikos-bench");
      // Atomikos enlists only XAResources of a registered (recoverable) resource.
      for (String name : new String[] {"n1", "n2", "a", "b"}) {
        InstantXAResource rm = InstantXAResource.managerOf(name);
        Configuration.addResource(
            new XATransactionalResource(name) {
              @Override
              protected XAResource refreshXAConnection() {
                return rm;
              }
            });
      }
      utm = new UserTransactionManager();
      utm.setForceShutdown(true);
      utm.init();
      utm.begin();
      utm.getTransaction().enlistResource(InstantXAResource.managerOf("n1"));
      utm.getTransaction().enlistResource(InstantXAResource.managerOf("n2"));
      utm.commit();
    } catch (Throwable e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      System.out.println("UNAVAILABLE atomikos " + root);
      System.out.flush();
      Runtime.getRuntime().halt(0);
      return;
    }
    System.out.println("STORE atomikos file-log");
    TransactionManager m = utm;
    for (int i = 2; i < args.length; i++) {
      int threads = Integer.parseInt(args[i]);
      InstantXAResource[][] res = new InstantXAResource[threads][];
      for (int t = 0; t < threads; t++) {
        // Atomikos matches an enlisted XAResource to its registered resource by isSameRM,
        // asked of the enlisted one, so these answer by name (each transaction has one of each).
        res[t] =
            new InstantXAResource[] {
              InstantXAResource.managerOf("a"), InstantXAResource.managerOf("b")
            };
      }
      double txs =
          Load.run(
              threads,
              1,
              seconds,
              t -> {
                m.begin();
                m.getTransaction().enlistResource(res[t][0]);
                m.getTransaction().enlistResource(res[t][1]);
                m.commit();
              });
      System.out.println("RESULT atomikos " + threads + " " + txs);
      System.out.flush();
    }
    Runtime.getRuntime().halt(0);
  }
}
