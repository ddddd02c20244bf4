package dev.xatm.wal;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

/**
 * The child process of {@link KillNineTest} and {@link LockTest}. Modes:
 *
 * <ul>
 *   <li>{@code append <dir> <threads>}: appends forced records from several threads and prints
 *       {@code ACK <lsn> <thread> <counter>} after each acknowledgement, until killed;
 *   <li>{@code hold <dir>}: opens the log, prints {@code READY}, and waits to be killed;
 *   <li>{@code open <dir>}: tries to open, prints {@code OPENED} or {@code LOCKED <message>}.
 * </ul>
 */
public final class WalChild {

  private WalChild() {}

  static byte[] payload(int thread, long counter) {
    Random r = new Random(thread * 7_919L + counter);
    byte[] b = new byte[12 + r.nextInt(300)];
    r.nextBytes(b);
    ByteBuffer.wrap(b).putInt(thread).putLong(counter);
    return b;
  }

  static WalConfig config(Path dir) {
    return WalConfig.builder(dir)
        .nodeId("child-node")
        .segmentSize(256 * 1024)
        .maxRecordSize(4096)
        .build();
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, false, "UTF-8");
    Path dir = Path.of(args[1]);
    switch (args[0]) {
      case "append" -> {
        Wal wal = Wal.open(config(dir));
        out.println("READY " + ProcessHandle.current().pid());
        out.flush();
        int threads = Integer.parseInt(args[2]);
        for (int t = 0; t < threads; t++) {
          int thread = t;
          Thread th =
              new Thread(
                  () -> {
                    for (long c = 0; ; c++) {
                      long lsn = wal.appendForced(7, payload(thread, c)).join();
                      synchronized (out) {
                        out.println("ACK " + lsn + " " + thread + " " + c);
                        out.flush();
                      }
                    }
                  });
          th.start();
        }
        Thread.currentThread().join(); // until killed
      }
      case "hold" -> {
        Wal wal = Wal.open(config(dir));
        out.println("READY " + ProcessHandle.current().pid() + " " + wal.nodeId());
        out.flush();
        Thread.currentThread().join();
      }
      case "open" -> {
        try (Wal wal = Wal.open(config(dir))) {
          out.println("OPENED");
        } catch (WalLockedException e) {
          out.println("LOCKED " + e.getMessage());
        }
        out.flush();
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }
}
