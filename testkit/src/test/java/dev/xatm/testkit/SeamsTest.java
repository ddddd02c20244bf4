package dev.xatm.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The seams of docs/architecture.md, enforced on every build (issue 12): which shipped module's
 * main code may import which other module, and that no code imports another module's {@code
 * internal} packages. JPMS descriptors cannot carry this here: jakarta.transaction-api 2.0.1's own
 * descriptor requires {@code jakarta.cdi} and {@code jakarta.interceptor} transitively, so any
 * named module that requires {@code jakarta.transaction} would force the CDI API onto every
 * application's module path, and on the class path (where nearly every application runs xatm) a
 * descriptor enforces nothing. The Maven dependencies enforce the rest at compile time: {@code
 * xatm-jdbc-driver} depends on {@code xatm-spi} alone.
 */
class SeamsTest {
  /** Module directory to the packages it owns (longest prefix wins). */
  private static final Map<String, String> OWNER = new LinkedHashMap<>();

  static {
    OWNER.put("dev.xatm.tm.spi", "spi");
    OWNER.put("dev.xatm.config", "spi");
    OWNER.put("dev.xatm.wal", "wal");
    OWNER.put("dev.xatm.snapshot", "snapshot");
    OWNER.put("dev.xatm.tm", "jta-tm");
    OWNER.put("dev.xatm.jdbc", "jdbc-driver");
    OWNER.put("dev.xatm.spring.boot", "spring-boot-starter");
    OWNER.put("dev.xatm.cdi", "cdi");
    OWNER.put("dev.xatm.hibernate", "hibernate");
    OWNER.put("dev.xatm.cli", "cli");
    OWNER.put("dev.xatm.cluster", "cluster");
    OWNER.put("dev.xatm.testkit", "testkit");
  }

  /**
   * The one-way dependencies of the shipped modules' main code (no cycles): each module may import
   * only these xatm modules.
   */
  private static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "wal", Set.of(),
          "spi", Set.of(),
          "snapshot", Set.of("wal"),
          "jta-tm", Set.of("wal", "snapshot", "spi"),
          "jdbc-driver", Set.of("spi"),
          // hibernate: the one XatmJtaPlatform, for the JPA units the starter makes JTA units.
          "spring-boot-starter", Set.of("spi", "jta-tm", "jdbc-driver", "hibernate"),
          "cdi", Set.of("spi", "jta-tm"),
          "hibernate", Set.of("spi", "jta-tm"),
          "cluster", Set.of("spi", "jta-tm"),
          "cli", Set.of("wal", "snapshot", "spi", "jta-tm", "jdbc-driver", "cluster"));

  /** Test code that reaches into another module's internals, each with its reason. */
  private static final Map<String, String> INTERNAL_ALLOWED =
      Map.of(
          "it/src/test/java/dev/xatm/it/jdbc/VendorXaErrorsIT.java",
          "drives the vendor XA adapter directly against real databases, error code by code",
          "jta-tm/src/test/java/dev/xatm/tm/wal/Format1.java",
          "rewrites a log into format 1, which the WAL no longer writes, to test how the TM"
              + " reads a log of the previous version");

  private static final Pattern IMPORT =
      Pattern.compile("^import\\s+(?:static\\s+)?(dev\\.xatm\\.[\\w.]+)\\.[\\w*]+\\s*;");

  private static final Pattern QUALIFIED =
      Pattern.compile("\\b(dev\\.xatm(?:\\.[a-z]\\w*)+)\\.[A-Z]");

  private static Path root() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("testkit")) ? here : here.getParent();
  }

  static String owner(String pkg) {
    String best = null;
    for (String p : OWNER.keySet()) {
      if ((pkg.equals(p) || pkg.startsWith(p + "."))
          && (best == null || p.length() > best.length())) {
        best = p;
      }
    }
    return best == null ? null : OWNER.get(best);
  }

  /** Every import of an xatm package in the Java files under {@code dir}: file -> packages. */
  private static Map<Path, List<String>> imports(Path dir) {
    Map<Path, List<String>> out = new LinkedHashMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        List<String> pkgs = new ArrayList<>();
        for (String line : Files.readAllLines(f)) {
          String t = line.trim();
          Matcher m = IMPORT.matcher(t);
          if (m.find()) {
            pkgs.add(packageOf(m.group(1)));
          } else if (!t.startsWith("*") && !t.startsWith("/") && !t.startsWith("package ")) {
            // Fully qualified names in code count like imports.
            Matcher q = QUALIFIED.matcher(t);
            while (q.find()) {
              pkgs.add(q.group(1));
            }
          }
        }
        out.put(f, pkgs);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Drops a trailing class name (static imports name a class): packages are lower case. */
  private static String packageOf(String name) {
    String[] parts = name.split("\\.");
    int n = parts.length;
    while (n > 0 && Character.isUpperCase(parts[n - 1].charAt(0))) {
      n--;
    }
    return String.join(".", java.util.Arrays.copyOf(parts, n));
  }

  private static List<Path> moduleDirs() throws IOException {
    try (Stream<Path> s = Files.walk(root(), 3)) {
      return s.filter(
              p -> Files.isDirectory(p.resolve("src")) && Files.exists(p.resolve("pom.xml")))
          .filter(p -> !p.toString().contains("target"))
          .toList();
    }
  }

  @Test
  void shippedModulesDependOneWayAsDocumented() {
    List<String> violations = new ArrayList<>();
    for (var e : ALLOWED.entrySet()) {
      String module = e.getKey();
      imports(root().resolve(module).resolve("src/main/java"))
          .forEach(
              (file, pkgs) -> {
                for (String pkg : pkgs) {
                  String o = owner(pkg);
                  if (o != null && !o.equals(module) && !e.getValue().contains(o)) {
                    violations.add(root().relativize(file) + " imports " + pkg + " (" + o + ")");
                  }
                }
              });
    }
    assertEquals(
        List.of(),
        violations,
        "main code crosses a seam (docs/architecture.md, 'Seams'); allowed: " + ALLOWED);
  }

  @Test
  void noCodeImportsAnotherModulesInternals() throws IOException {
    List<String> violations = new ArrayList<>();
    Set<String> allowedSeen = new TreeSet<>();
    for (Path module : moduleDirs()) {
      String name = root().relativize(module).toString();
      for (String kind : List.of("main", "test")) {
        imports(module.resolve("src").resolve(kind).resolve("java"))
            .forEach(
                (file, pkgs) -> {
                  String rel = root().relativize(file).toString();
                  for (String pkg : pkgs) {
                    String o = owner(pkg);
                    boolean internal = pkg.contains(".internal");
                    if (internal && o != null && !o.equals(name)) {
                      if (INTERNAL_ALLOWED.containsKey(rel)) {
                        allowedSeen.add(rel);
                      } else {
                        violations.add(rel + " imports " + pkg + " (internal to " + o + ")");
                      }
                    }
                  }
                });
      }
    }
    assertEquals(List.of(), violations, "another module's internals are off limits");
    assertEquals(
        new TreeSet<>(INTERNAL_ALLOWED.keySet()), allowedSeen, "stale INTERNAL_ALLOWED entries");
  }

  @Test
  void theRulesSeeTheWholeRepository() throws IOException {
    // A rule that scans nothing cannot fail: make sure the scan found the modules and imports.
    assertTrue(moduleDirs().size() >= 15, "module directories found: " + moduleDirs());
    long crossImports =
        imports(root().resolve("jta-tm/src/main/java")).values().stream()
            .flatMap(List::stream)
            .filter(p -> "wal".equals(owner(p)))
            .count();
    assertTrue(crossImports > 5, "jta-tm's imports of wal found: " + crossImports);
    assertEquals("spi", owner("dev.xatm.tm.spi"));
    assertEquals("spi", owner("dev.xatm.config"));
    assertEquals("jta-tm", owner("dev.xatm.tm.recovery.internal"));
    assertEquals("dev.xatm.tm.log", packageOf("dev.xatm.tm.log.LogState"));
  }
}
