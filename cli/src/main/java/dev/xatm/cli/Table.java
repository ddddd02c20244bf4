package dev.xatm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows printed in aligned columns, each as wide as its widest cell; the last column is not padded.
 * Columns flagged numeric are right-aligned.
 *
 * <p>Not thread-safe.
 */
final class Table {
  private final List<String> headers;
  private final boolean[] numeric;
  private final List<List<String>> rows = new ArrayList<>();

  /** Headers; a header starting with {@code '>'} marks a right-aligned (numeric) column. */
  Table(String... headers) {
    this.headers = new ArrayList<>();
    this.numeric = new boolean[headers.length];
    for (int i = 0; i < headers.length; i++) {
      numeric[i] = headers[i].startsWith(">");
      this.headers.add(numeric[i] ? headers[i].substring(1) : headers[i]);
    }
  }

  Table row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(
          cells.length + " cells for " + headers.size() + " columns");
    }
    List<String> r = new ArrayList<>(cells.length);
    for (Object c : cells) {
      r.add(c == null ? "-" : c.toString());
    }
    rows.add(r);
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintWriter out, String indent) {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = headers.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    line(out, indent, headers, width);
    for (List<String> r : rows) {
      line(out, indent, r, width);
    }
  }

  private void line(PrintWriter out, String indent, List<String> cells, int[] width) {
    StringBuilder b = new StringBuilder(indent);
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      boolean last = i == cells.size() - 1;
      if (numeric[i]) {
        b.append(" ".repeat(width[i] - c.length())).append(c);
      } else {
        b.append(c);
        if (!last) {
          b.append(" ".repeat(width[i] - c.length()));
        }
      }
      if (!last) {
        b.append("  ");
      }
    }
    out.println(b.toString().stripTrailing());
  }

  /** Prints {@code label value} pairs with the values aligned. */
  static void pairs(PrintWriter out, List<String[]> pairs) {
    int w = 0;
    for (String[] p : pairs) {
      w = Math.max(w, p[0].length());
    }
    for (String[] p : pairs) {
      out.println(p[0] + " ".repeat(w - p[0].length() + 2) + p[1]);
    }
  }
}
