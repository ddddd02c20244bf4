package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.tm.Failpoint;
import dev.xatm.tm.log.TxRecordType;
import dev.xatm.wal.Wal;
import dev.xatm.wal.WalConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xatm log dump} on the log of a child JVM halted once its commit decision was durable. */
class LogDumpTest {
  @TempDir Path tmp;
  private Path log;
  private CrashLogs.Halted halted;

  @BeforeEach
  void crash() throws Exception {
    log = tmp.resolve("log");
    halted = CrashLogs.halt(log, Failpoint.AFTER_COMMITTING_DURABLE, 3);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> records(Cli.Result r) {
    assertEquals(ExitCodes.OK, r.code(), r.toString());
    Map<String, Object> m = MiniJson.object(r.out());
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : (List<Object>) m.get("records")) {
      out.add((Map<String, Object>) o);
    }
    assertEquals((long) out.size(), m.get("count"));
    return out;
  }

  private static List<String> types(List<Map<String, Object>> records) {
    return records.stream().map(x -> (String) x.get("type")).toList();
  }

  @Test
  void everyRecordDecodedInLsnOrder() throws Exception {
    List<Map<String, Object>> all =
        records(Cli.runReadOnly(log, "log", "dump", "--json", log.toString()));
    assertEquals("EPOCH_STARTED", all.get(0).get("type"));
    assertEquals(CrashLogs.NODE, all.get(0).get("node"));
    for (int i = 0; i < all.size(); i++) {
      assertEquals(i + 1L, all.get(i).get("lsn"), "contiguous LSNs from 1");
    }
    // The crashed transaction: Begin and the durable Committing, no End (DESIGN §2, I3).
    List<Map<String, Object>> crashed =
        all.stream().filter(r -> halted.crashed().equals(r.get("gtrid"))).toList();
    assertEquals(List.of("BEGIN", "COMMITTING"), types(crashed));
    List<?> branches = (List<?>) crashed.get(1).get("branches");
    assertEquals(2, branches.size(), crashed.toString());
    assertEquals("a", ((Map<?, ?>) branches.get(0)).get("resourceId"));

    Cli.Result text = Cli.runReadOnly(log, "log", "dump", log.toString());
    assertEquals(ExitCodes.OK, text.code());
    String[] lines = text.out().split("\n");
    assertTrue(lines[0].matches("\\s*LSN  TYPE\\s+GTRID\\s+DETAIL"), lines[0]);
    // Aligned: the TYPE column starts at the same place on every line.
    int typeAt = lines[0].indexOf("TYPE");
    for (int i = 1; i <= all.size(); i++) {
      assertEquals(' ', lines[i].charAt(typeAt - 1), lines[i]);
      assertTrue(Character.isLetter(lines[i].charAt(typeAt)), lines[i]);
    }
    assertEquals("(" + all.size() + " record(s))", lines[lines.length - 1]);
  }

  @Test
  void filtersByGtridTypeAndLsnRange() throws Exception {
    List<Map<String, Object>> byGtrid =
        records(
            Cli.runReadOnly(
                log, "log", "dump", "--json", "--gtrid", halted.crashed(), log.toString()));
    assertEquals(List.of("BEGIN", "COMMITTING"), types(byGtrid));

    List<Map<String, Object>> committing =
        records(
            Cli.runReadOnly(
                log, "log", "dump", "--json", "--type", "committing,end", log.toString()));
    assertEquals(
        List.of("COMMITTING", "END", "COMMITTING", "END", "COMMITTING"), types(committing));

    List<Map<String, Object>> range =
        records(
            Cli.runReadOnly(
                log, "log", "dump", "--json", "--from-lsn", "4", "--to-lsn", "6", log.toString()));
    assertEquals(List.of(4L, 5L, 6L), range.stream().map(r -> r.get("lsn")).toList());

    Cli.Result text =
        Cli.runReadOnly(
            log,
            "log",
            "dump",
            "--type",
            TxRecordType.BEGIN.name(),
            "--gtrid",
            halted.begun().get(0),
            log.toString());
    assertEquals(ExitCodes.OK, text.code());
    assertTrue(text.out().endsWith("(1 record(s))\n"), text.out());

    assertEquals(
        ExitCodes.USAGE, Cli.run("log", "dump", "--type", "nonsense", log.toString()).code());
    assertEquals(
        ExitCodes.USAGE,
        Cli.run("log", "dump", "--from-lsn", "9", "--to-lsn", "3", log.toString()).code());
  }

  @Test
  void anUndecodableRecordIsShownAndFailsTheDump() throws Exception {
    Path copy = CrashLogs.copy(log, tmp.resolve("copy"));
    // A COMMITTING record whose payload is not a MessagePack map: what a buggy writer or a
    // foreign program would leave; its CRC is valid, so only the TM's codec can tell.
    try (Wal wal =
        Wal.open(WalConfig.builder(copy).segmentSize(64 * 1024).maxRecordSize(16384).build())) {
      wal.appendForced(TxRecordType.COMMITTING.code(), new byte[] {1, 2, 3}).join();
    }
    Cli.Result text = Cli.runReadOnly(copy, "log", "dump", copy.toString());
    assertEquals(ExitCodes.DAMAGED, text.code(), text.toString());
    assertTrue(text.out().contains("COMMITTING"), text.out());
    assertTrue(text.out().contains("UNDECODABLE: COMMITTING payload is not a MessagePack map"));
    assertTrue(text.err().contains("1 TM record(s) do not decode"), text.err());
    Cli.Result json = Cli.runReadOnly(copy, "log", "dump", "--json", copy.toString());
    assertEquals(ExitCodes.DAMAGED, json.code());
    assertEquals(1L, MiniJson.object(json.out()).get("undecodable"));
  }

  @Test
  void aDamagedLogIsRefusedUnlessTheOperatorAcceptsTheDamage() throws Exception {
    Path copy = CrashLogs.copy(log, tmp.resolve("copy"));
    CrashLogs.damageRecord(CrashLogs.segment(copy, 1), 4);
    Cli.Result refused = Cli.runReadOnly(copy, "log", "dump", copy.toString());
    assertEquals(ExitCodes.DAMAGED, refused.code(), refused.toString());
    assertTrue(refused.err().contains("WAL corrupt: segment 1"), refused.err());

    Cli.Result across =
        Cli.runReadOnly(copy, "log", "dump", "--json", "--accept-damage", copy.toString());
    assertEquals(ExitCodes.DAMAGED, across.code(), across.toString());
    Map<String, Object> m = MiniJson.object(across.out());
    assertEquals(true, m.get("damaged"));
    long shown = (Long) m.get("count");
    assertTrue(shown >= 9 && shown < 11, "all but the damaged record: " + shown);
    assertFalse(across.out().contains("\"lsn\":0"));
  }
}
