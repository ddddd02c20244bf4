package dev.xatm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No main class over 400 lines of code without a stated reason (docs/architecture.md, "Seams"):
 * every larger one is listed in {@code large-classes.txt} with a cap and its reason, so that it
 * cannot grow unnoticed; an entry whose class shrank below the limit, or is gone, must be removed.
 * Lines of code: not blank, not a comment (Javadoc is not what makes a class do too much).
 */
class ClassSizeTest {
  static final int LIMIT = 400;

  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("testkit")) ? here : here.getParent();
  }

  /** path relative to the root -> its line count, for every main Java file. */
  private static Map<String, Integer> mainClasses() {
    Map<String, Integer> out = new TreeMap<>();
    Path root = root();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f :
          files
              .filter(p -> p.toString().endsWith(".java"))
              .filter(p -> p.toString().contains("/src/main/java/"))
              .filter(p -> !p.toString().contains("/target/"))
              .toList()) {
        out.put(root.relativize(f).toString(), codeLines(Files.readString(f)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Lines that are neither blank nor comment (block comments removed first). */
  static int codeLines(String source) {
    String code = source.replaceAll("(?s)/\\*.*?\\*/", "");
    int n = 0;
    for (String line : code.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("//")) {
        n++;
      }
    }
    return n;
  }

  /** The listed classes: path -> cap (the reason is for the reader). */
  private static Map<String, Integer> listed() throws IOException {
    Map<String, Integer> out = new TreeMap<>();
    Path file = root().resolve("testkit/src/test/resources/large-classes.txt");
    for (String line : Files.readAllLines(file)) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String[] parts = t.split("\\|", 3);
      assertEquals(3, parts.length, "path | cap | reason: " + line);
      assertTrue(parts[2].strip().length() > 20, "a reason, not a word: " + line);
      out.put(parts[0].strip(), Integer.parseInt(parts[1].strip()));
    }
    return out;
  }

  @Test
  void commentsAndBlankLinesDoNotCount() {
    assertEquals(2, codeLines("/** doc\n * more */\nclass A {\n\n  // note\n}\n"));
  }

  @Test
  void everyMainClassOverTheLimitIsListedWithItsReasonAndStaysUnderItsCap() throws IOException {
    Map<String, Integer> sizes = mainClasses();
    assertTrue(sizes.size() > 100, "the scan found the sources: " + sizes.size());
    Map<String, Integer> listed = listed();
    List<String> problems = new ArrayList<>();
    sizes.forEach(
        (path, lines) -> {
          if (lines > LIMIT) {
            Integer cap = listed.get(path);
            if (cap == null) {
              problems.add(path + ": " + lines + " lines, over " + LIMIT + " and not listed");
            } else if (lines > cap) {
              problems.add(path + ": " + lines + " lines, over its cap " + cap);
            }
          }
        });
    listed.forEach(
        (path, cap) -> {
          Integer lines = sizes.get(path);
          if (lines == null || lines <= LIMIT) {
            problems.add(path + ": listed but " + (lines == null ? "gone" : lines + " lines"));
          }
        });
    assertEquals(List.of(), problems, "testkit/src/test/resources/large-classes.txt");
  }
}
