package dev.xatm.cluster;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A TM process for {@link ClusterProcessIT}: {@code ClusterChild LOG_DIR NODE_ID CLUSTER_URL}
 * prints {@code READY} once started, then answers each {@code transfer} line on stdin with {@code
 * COMMITTED} or {@code NOT <why>} and the resources' commit count, until {@code exit} or the end of
 * stdin.
 */
public final class ClusterChild {
  private ClusterChild() {}

  public static void main(String[] args) throws Exception {
    try (ClusterTm tm = ClusterTm.start(Path.of(args[0]), args[1], args[2])) {
      System.out.println("READY");
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.equals("exit")) {
          break;
        }
        String why = tm.transfer();
        System.out.println(
            (why == null ? "COMMITTED" : "NOT " + why.replace('\n', ' '))
                + " commits="
                + tm.commits());
        System.out.flush();
      }
    }
  }
}
