package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.cluster.PostgresNodeLeases;
import dev.xatm.testkit.SharedDatabases;
import dev.xatm.tm.cluster.ClusterConfig;
import dev.xatm.tm.cluster.LeaseClaim;
import dev.xatm.tm.cluster.NodeLease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xatm cluster leases} against a real lease table (docs/operations.md). */
class ClusterLeasesDatabaseIT {
  private static final String DB = "xatm_cli_cluster_it";

  @TempDir Path dir;

  @Test
  void listsEveryLeaseWithItsHolderAndStateAndSaysWhenTheModeIsOff() throws Exception {
    SharedDatabases.recreatePostgresDatabase(DB);
    String url = SharedDatabases.postgresUrl(DB);
    Path config = dir.resolve("xatm.properties");
    Files.writeString(
        config, "xatm.log.dir=" + dir.resolve("log") + "\nxatm.cluster.url=" + url + "\n");
    assertTrue(Cli.run("cluster", "leases", "--config", config.toString()).out().contains("none"));

    ClusterConfig c =
        ClusterConfig.parse(
                Map.of(
                    "xatm.cluster.url", url,
                    "xatm.cluster.lease-duration", "3s",
                    "xatm.cluster.renew-interval", "500ms",
                    "xatm.cluster.fence-margin", "1s"),
                Map.of())
            .orElseThrow();
    String node = "cli-" + UUID.randomUUID().toString().substring(0, 8);
    NodeLease lease =
        new PostgresNodeLeases()
            .acquire(c, new LeaseClaim(node, 0xabcdL, "host-x pid 42"), Clock.systemUTC());
    try {
      Cli.Result held = Cli.run("cluster", "leases", "--config", config.toString());
      assertEquals(0, held.code(), held.err());
      assertTrue(held.out().contains(node), held.out());
      assertTrue(held.out().contains("held"), held.out());
      assertTrue(held.out().contains("host-x pid 42"), held.out());
      assertTrue(held.out().contains("abcd"), held.out());
    } finally {
      lease.close();
    }
    Cli.Result json = Cli.run("cluster", "leases", "--config", config.toString(), "--json");
    assertTrue(json.out().contains("\"state\":\"released\""), json.out());

    Path off = dir.resolve("off.properties");
    Files.writeString(off, "xatm.log.dir=" + dir.resolve("log") + "\n");
    Cli.Result none = Cli.run("cluster", "leases", "--config", off.toString());
    assertEquals(ExitCodes.USAGE, none.code());
    assertTrue(none.err().contains("xatm.cluster.url is not set"), none.err());

    Path down = dir.resolve("down.properties");
    Files.writeString(
        down,
        "xatm.log.dir="
            + dir.resolve("log")
            + "\nxatm.cluster.url=jdbc:postgresql://127.0.0.1:1/x\nxatm.cluster.password=pw-s3cret\n");
    Cli.Result unreachable = Cli.run("cluster", "leases", "--config", down.toString());
    assertEquals(ExitCodes.UNREACHABLE, unreachable.code(), unreachable.err());
    assertTrue(!unreachable.err().contains("pw-s3cret"), unreachable.err());
  }
}
