package dev.xatm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.config.SettingsTable;
import dev.xatm.jdbc.PoolSettings;
import dev.xatm.tm.XatmSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The configuration tables of README.md and docs/jdbc-driver.md are the settings tables (issue 12):
 * every key documented with its environment variable and the same default, in the table's order,
 * and no stale row. On a mismatch the expected block is written to {@code
 * testkit/target/<name>.md}, ready to paste between the markers.
 */
class ConfigurationTableTest {
  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("testkit")) ? here : here.getParent();
  }

  private static void check(String doc, String marker, SettingsTable table) throws IOException {
    String text = Files.readString(root().resolve(doc));
    String begin = "<!-- settings:" + marker + " begin (generated; ConfigurationTableTest) -->\n";
    String end = "<!-- settings:" + marker + " end -->";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    assertTrue(from >= 0 && to > from, doc + " has no " + marker + " settings block");
    String actual = text.substring(from + begin.length(), to);
    String expected = table.markdown();
    if (!expected.equals(actual)) {
      Path out = root().resolve("testkit/target/" + marker + ".md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, expected);
    }
    assertEquals(
        expected, actual, doc + ": the " + marker + " table differs from the settings table");
  }

  @Test
  void readmeDocumentsEveryTransactionManagerSetting() throws IOException {
    check("README.md", "tm", XatmSettings.TABLE);
  }

  @Test
  void readmeAndDriverGuideDocumentEveryPoolSetting() throws IOException {
    check("README.md", "pool", PoolSettings.TABLE);
    check("docs/jdbc-driver.md", "pool", PoolSettings.TABLE);
  }
}
