package dev.xatm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the command in-process and, for every path given, proves it was not modified. */
final class Cli {
  /** What one run printed and returned. */
  record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  private Cli() {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Xatm.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Runs, then asserts that {@code untouched} has the same entries, bytes and mtimes as before. */
  static Result runReadOnly(Path untouched, String... args) throws Exception {
    DirImage before = DirImage.of(untouched);
    Result r = run(args);
    assertEquals(before, DirImage.of(untouched), "xatm modified " + untouched + ": " + r);
    return r;
  }
}
