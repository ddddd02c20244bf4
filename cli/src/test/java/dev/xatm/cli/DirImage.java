package dev.xatm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every entry of a directory tree with its size, modification time and SHA-256, plus the
 * directories' own modification times (which change when an entry is created, renamed or deleted).
 */
record DirImage(Map<String, String> entries) {
  static DirImage of(Path dir) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        String name = dir.relativize(p).toString();
        String mtime = Files.getLastModifiedTime(p).toString();
        if (Files.isDirectory(p)) {
          m.put(name + "/", mtime);
        } else {
          m.put(name, mtime + " " + Files.size(p) + " " + sha256(Files.readAllBytes(p)));
        }
      }
    }
    return new DirImage(m);
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
