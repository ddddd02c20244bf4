package dev.xatm.cli;

import dev.xatm.tm.recovery.PreparedXid;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A prepared Xid in the form its database shows it, so an operator can find it in the database's
 * own tools: PostgreSQL's {@code pg_prepared_xacts.gid} (pgjdbc writes {@code
 * formatId_base64(gtrid)_base64(bqual)}) and MariaDB's {@code XA RECOVER} row ({@code formatID},
 * {@code gtrid_length}, {@code bqual_length}, {@code data} = gtrid then bqual, shown in hex), with
 * the SQL statement that would resolve it by hand. For PostgreSQL, the time it was prepared is read
 * from {@code pg_prepared_xacts} when the configuration has the credentials.
 *
 * <p>Stateless.
 */
final class DatabaseForms {
  private DatabaseForms() {}

  enum Vendor {
    POSTGRESQL,
    MARIADB,
    OTHER;

    static Vendor of(String url) {
      if (url == null) {
        return OTHER;
      }
      if (url.startsWith("jdbc:xa:postgresql:")) {
        return POSTGRESQL;
      }
      if (url.startsWith("jdbc:xa:mariadb:") || url.startsWith("jdbc:xa:mysql:")) {
        return MARIADB;
      }
      return OTHER;
    }
  }

  static String pgGid(PreparedXid x) {
    Base64.Encoder b64 = Base64.getEncoder();
    return x.formatId() + "_" + b64.encodeToString(x.gtrid()) + "_" + b64.encodeToString(x.bqual());
  }

  /** What the database shows, as named fields (empty for other databases). */
  static Map<String, Object> fields(PreparedXid x) {
    Map<String, Object> m = new LinkedHashMap<>();
    HexFormat hex = HexFormat.of();
    switch (Vendor.of(x.url())) {
      case POSTGRESQL -> {
        m.put("gid", pgGid(x));
        m.put("sqlCommit", "COMMIT PREPARED '" + pgGid(x) + "'");
        m.put("sqlRollback", "ROLLBACK PREPARED '" + pgGid(x) + "'");
      }
      case MARIADB -> {
        m.put("formatID", x.formatId());
        m.put("gtrid_length", x.gtrid().length);
        m.put("bqual_length", x.bqual().length);
        m.put("data", "0x" + hex.formatHex(x.gtrid()) + hex.formatHex(x.bqual()));
        String sqlXid =
            "X'"
                + hex.formatHex(x.gtrid())
                + "',X'"
                + hex.formatHex(x.bqual())
                + "',"
                + x.formatId();
        m.put("sqlCommit", "XA COMMIT " + sqlXid);
        m.put("sqlRollback", "XA ROLLBACK " + sqlXid);
      }
      case OTHER -> {
        // no database-specific form known
      }
    }
    return m;
  }

  /** One line for the table: the gid, or the XA RECOVER row. */
  static String text(PreparedXid x) {
    Map<String, Object> f = fields(x);
    if (f.containsKey("gid")) {
      return "gid " + f.get("gid");
    }
    if (f.containsKey("data")) {
      return "formatID="
          + f.get("formatID")
          + " gtrid_length="
          + f.get("gtrid_length")
          + " bqual_length="
          + f.get("bqual_length")
          + " data="
          + f.get("data");
    }
    return null;
  }

  /**
   * {@code gid -> prepared} of a PostgreSQL resource, or empty when it cannot be read (no
   * credentials, no connection): the age is then only bounded by the log.
   */
  static Map<String, Instant> pgPrepared(String xaUrl, String user, String password) {
    String url = "jdbc:" + xaUrl.substring("jdbc:xa:".length());
    Map<String, Instant> out = new HashMap<>();
    java.util.Properties info = new java.util.Properties();
    if (user != null) {
      info.setProperty("user", user);
    }
    if (password != null) {
      info.setProperty("password", password);
    }
    try (Connection c = DriverManager.getConnection(url, info);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT gid, prepared FROM pg_prepared_xacts")) {
      while (r.next()) {
        out.put(r.getString(1), r.getTimestamp(2).toInstant());
      }
    } catch (SQLException e) {
      return Map.of();
    }
    return out;
  }
}
