package dev.xatm.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/conformance.md true: every case with a {@link Divergence} has a row in its divergence
 * table whose text is the annotation's (what, spec, xatm, why, cell for cell), and every row names
 * a case that still carries one. The failure message prints the rows as they should read, in the
 * table's format.
 */
class DivergenceTableTest {
  private static final Pattern ROW =
      Pattern.compile("^\\| `(\\w+)#(\\w+)` \\|.*$", Pattern.MULTILINE);

  @Test
  void everyDivergenceIsInTheTableAndEveryRowIsADivergence() throws Exception {
    TreeMap<String, Divergence> cases = new TreeMap<>();
    int conformanceCases = 0;
    for (Class<?> k : caseClasses()) {
      for (Method m : k.getDeclaredMethods()) {
        if (m.isAnnotationPresent(Conformance.class)) {
          conformanceCases++;
        }
        Divergence d = m.getAnnotation(Divergence.class);
        if (d != null) {
          assertTrue(m.isAnnotationPresent(Conformance.class), m + " is not a @Conformance case");
          cases.put(k.getSimpleName() + "#" + m.getName(), d);
        }
      }
    }
    assertTrue(conformanceCases > 50, "found only " + conformanceCases + " cases");
    String doc = Files.readString(docs());
    Map<String, String> rows = new LinkedHashMap<>();
    Matcher matcher = ROW.matcher(doc);
    while (matcher.find()) {
      rows.put(matcher.group(1) + "#" + matcher.group(2), matcher.group());
    }
    StringBuilder missing = new StringBuilder();
    StringBuilder differing = new StringBuilder();
    cases.forEach(
        (name, d) -> {
          String expected = row(name, d);
          String actual = rows.get(name);
          if (actual == null) {
            missing.append(expected).append('\n');
          } else if (!actual.strip().equals(expected)) {
            differing.append("table:      ").append(actual).append('\n');
            differing.append("annotation: ").append(expected).append('\n');
          }
        });
    assertEquals("", missing.toString(), "rows missing from docs/conformance.md");
    assertEquals("", differing.toString(), "rows of docs/conformance.md unlike their @Divergence");
    List<String> stale = new ArrayList<>(rows.keySet());
    stale.removeAll(cases.keySet());
    assertEquals(List.of(), stale, "rows of docs/conformance.md without a @Divergence case");
  }

  /** The table row of a case, as docs/conformance.md writes it. */
  static String row(String name, Divergence d) {
    return "| `"
        + name
        + "` | "
        + d.what()
        + " | "
        + switch (d.follows()) {
          case XATM -> "xatm";
          case NARAYANA -> "Narayana";
          case BOTH -> "both";
          case UNSPECIFIED -> "open";
        }
        + " | "
        + switch (d.kind()) {
          case DELIBERATE -> "deliberate";
          case XATM_BUG_REPORTED -> "xatm bug, reported";
        }
        + " | "
        + d.why()
        + " |";
  }

  private static Path docs() {
    return Path.of(System.getProperty("conformance.docs", "../docs/conformance.md"));
  }

  private static List<Class<?>> caseClasses() throws IOException, URISyntaxException {
    Path dir =
        Path.of(
                DivergenceTableTest.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI())
            .resolve(DivergenceTableTest.class.getPackageName().replace('.', '/'));
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        String n = f.getFileName().toString();
        if (n.endsWith("Cases.class")) {
          try {
            out.add(
                Class.forName(
                    DivergenceTableTest.class.getPackageName()
                        + "."
                        + n.substring(0, n.length() - ".class".length())));
          } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
          }
        }
      }
    }
    return out;
  }
}
