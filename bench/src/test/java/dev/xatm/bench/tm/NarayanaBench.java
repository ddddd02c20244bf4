package dev.xatm.bench.tm;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqJournalEnvironmentBean;
import com.arjuna.ats.internal.arjuna.objectstore.hornetq.HornetqObjectStoreAdaptor;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.TransactionManager;

/**
 * Child JVM of {@link TmBench}: Narayana with one object store, the same two instant resources,
 * several thread counts. Narayana's configuration is JVM-global, hence one JVM per store. Prints
 * {@code RESULT <store> <threads> <tx/s>} lines, or {@code UNAVAILABLE <store> <reason>}.
 *
 * <p>Usage: {@code NarayanaBench <default|journal> <dir> <seconds> <threads>...}
 */
public final class NarayanaBench {
  private NarayanaBench() {}

  public static void main(String[] args) throws Exception {
    String store = args[0];
    String dir = args[1];
    double seconds = Double.parseDouble(args[2]);
    TransactionManager tm;
    String storeType;
    try {
      arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("narayana-bench");
      for (String name : new String[] {null, "communicationStore", "stateStore"}) {
        ObjectStoreEnvironmentBean os =
            name == null
                ? BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class)
                : BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, name);
        os.setObjectStoreDir(dir);
        if (store.equals("journal")) {
          os.setObjectStoreType(HornetqObjectStoreAdaptor.class.getName());
        }
      }
      if (store.equals("journal")) {
        HornetqJournalEnvironmentBean j =
            BeanPopulator.getDefaultInstance(HornetqJournalEnvironmentBean.class);
        j.setStoreDir(dir + "/journal");
        j.setSyncWrites(true);
      }
      storeType =
          BeanPopulator.getDefaultInstance(ObjectStoreEnvironmentBean.class).getObjectStoreType();
      tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
      // One transaction to initialise the store (fails here if the store cannot work).
      tm.begin();
      tm.getTransaction().enlistResource(new InstantXAResource("n1"));
      tm.getTransaction().enlistResource(new InstantXAResource("n2"));
      tm.commit();
    } catch (Throwable e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      System.out.println("UNAVAILABLE " + store + " " + root);
      System.out.flush();
      Runtime.getRuntime().halt(0);
      return;
    }
    System.out.println("STORE " + store + " " + storeType);
    for (int i = 3; i < args.length; i++) {
      int threads = Integer.parseInt(args[i]);
      InstantXAResource[][] res = new InstantXAResource[threads][];
      for (int t = 0; t < threads; t++) {
        res[t] = new InstantXAResource[] {new InstantXAResource("a"), new InstantXAResource("b")};
      }
      TransactionManager m = tm;
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
      System.out.println("RESULT " + store + " " + threads + " " + txs);
      System.out.flush();
    }
    Runtime.getRuntime().halt(0); // Narayana leaves non-daemon threads behind
  }
}
