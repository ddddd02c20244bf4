package dev.xatm.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One log per directory (failure rows 27-29). */
class LockTest {

  @TempDir Path dir;

  @Test
  void secondInstanceInTheSameJvmFailsNamingTheHolder() throws Exception {
    try (Wal first = Wal.open(WalChild.config(dir))) {
      WalLockedException e =
          assertThrows(WalLockedException.class, () -> Wal.open(WalChild.config(dir)));
      assertTrue(e.getMessage().contains("pid=" + ProcessHandle.current().pid()), e.getMessage());
      assertTrue(e.getMessage().contains("node=child-node"), e.getMessage());
      // The failed attempt must not have released the holder's lock (one channel per JVM).
      first.appendForced(1, new byte[] {1}).get();
      assertThrows(WalLockedException.class, () -> Wal.open(WalChild.config(dir)));
    }
    try (Wal again = Wal.open(WalChild.config(dir))) {
      assertEquals(1, again.openReport().lastLsn());
    }
  }

  @Test
  void secondProcessFailsNamingTheHolderPid() throws Exception {
    try (Wal held = Wal.open(WalChild.config(dir));
        ChildJvm child = new ChildJvm("open", dir.toString())) {
      String line = child.line();
      assertTrue(line.startsWith("LOCKED "), line);
      assertTrue(line.contains("pid=" + ProcessHandle.current().pid()), line);
      assertEquals(0, child.waitExit());
    }
  }

  @Test
  void staleLockOfAKilledProcessIsTakenOver() throws Exception {
    long childPid;
    try (ChildJvm child = new ChildJvm("hold", dir.toString())) {
      String ready = child.line();
      assertTrue(ready.startsWith("READY "), ready);
      childPid = Long.parseLong(ready.split(" ")[1]);
      assertThrows(WalLockedException.class, () -> Wal.open(WalChild.config(dir)));
      child.kill();
    }
    try (Wal wal = Wal.open(WalChild.config(dir))) {
      String text = Files.readString(dir.resolve("wal.lock"), StandardCharsets.UTF_8);
      assertTrue(text.contains("pid=" + ProcessHandle.current().pid()), text);
      assertTrue(!text.contains("pid=" + childPid + " "), "old holder overwritten: " + text);
    }
  }
}
