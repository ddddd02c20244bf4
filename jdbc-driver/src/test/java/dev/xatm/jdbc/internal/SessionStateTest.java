package dev.xatm.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xatm.jdbc.internal.SessionState.Attribute;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Reset per attribute, against a connection that records every getter and setter call. */
class SessionStateTest {

  /** A connection holding its attributes in a map and recording every call by method name. */
  private static final class Recording {
    final Map<String, Object> values = new HashMap<>();
    final List<String> calls = new ArrayList<>();
    final List<Object[]> args = new ArrayList<>();
    String failOn;
    final Connection connection;

    Recording() {
      values.put("ReadOnly", false);
      values.put("TransactionIsolation", Connection.TRANSACTION_READ_COMMITTED);
      values.put("Catalog", "db");
      values.put("Schema", "public");
      values.put("Holdability", ResultSet.HOLD_CURSORS_OVER_COMMIT);
      values.put("TypeMap", new HashMap<String, Class<?>>());
      values.put("NetworkTimeout", 0);
      Properties info = new Properties();
      info.setProperty("ApplicationName", "default-app");
      values.put("ClientInfo", info);
      connection =
          (Connection)
              Proxy.newProxyInstance(
                  Connection.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (p, m, a) -> {
                    String n = m.getName();
                    calls.add(n);
                    args.add(a);
                    if (n.equals(failOn)) {
                      throw new SQLException(n + " failed", "HY000");
                    }
                    if (n.startsWith("set")) {
                      values.put(n.substring(3), a[a.length - 1]);
                      return null;
                    }
                    if (n.startsWith("get") || n.startsWith("is")) {
                      return values.get(n.substring(n.startsWith("get") ? 3 : 2));
                    }
                    throw new AssertionError("unexpected " + n);
                  });
    }

    List<String> setters() {
      return calls.stream().filter(c -> c.startsWith("set")).toList();
    }
  }

  @Test
  void nothingChangedMeansNoCallAtAll() throws SQLException {
    Recording r = new Recording();
    new SessionState().reset(r.connection);
    assertEquals(List.of(), r.calls);
  }

  @Test
  void eachChangedAttributeIsRestoredAndOnlyThat() throws SQLException {
    Object[][] cases = {
      {Attribute.READ_ONLY, true},
      {Attribute.ISOLATION, Connection.TRANSACTION_SERIALIZABLE},
      {Attribute.CATALOG, "other"},
      {Attribute.SCHEMA, "audit"},
      {Attribute.HOLDABILITY, ResultSet.CLOSE_CURSORS_AT_COMMIT},
      {Attribute.NETWORK_TIMEOUT, 5000},
    };
    for (Object[] c : cases) {
      Attribute a = (Attribute) c[0];
      Recording r = new Recording();
      SessionState s = new SessionState();
      String name = property(a);
      Object initial = r.values.get(name);
      s.change(r.connection, a, c[1], () -> change(r, name, c[1]));
      assertEquals(EnumSet.of(a), s.dirty(), a.name());
      r.calls.clear();
      s.reset(r.connection);
      assertEquals(List.of("set" + name), r.setters(), a.name());
      assertEquals(initial, r.values.get(name), a.name() + " back to its default");
      assertEquals(EnumSet.noneOf(Attribute.class), s.dirty());
      r.calls.clear();
      s.reset(r.connection);
      assertEquals(List.of(), r.calls, "a second reset has nothing to do");
    }
  }

  @Test
  void networkTimeoutResetPassesAnExecutor() throws SQLException {
    Recording r = new Recording();
    SessionState s = new SessionState();
    s.change(
        r.connection, Attribute.NETWORK_TIMEOUT, 5000, () -> change(r, "NetworkTimeout", 5000));
    r.args.clear();
    s.reset(r.connection);
    assertNotNull(r.args.get(0)[0], "MariaDB refuses a null executor");
    assertTrue(r.args.get(0)[0] instanceof Executor);
  }

  @Test
  void settingTheDefaultAgainNeedsNoReset() throws SQLException {
    Recording r = new Recording();
    SessionState s = new SessionState();
    s.change(r.connection, Attribute.READ_ONLY, true, () -> change(r, "ReadOnly", true));
    s.change(r.connection, Attribute.READ_ONLY, false, () -> change(r, "ReadOnly", false));
    r.calls.clear();
    s.reset(r.connection);
    assertEquals(List.of(), r.calls, "Spring's readOnly true-then-false leaves nothing to do");
  }

  @Test
  void aFailedChangeStaysDirty() throws SQLException {
    Recording r = new Recording();
    SessionState s = new SessionState();
    assertThrows(
        SQLException.class,
        () ->
            s.change(
                r.connection,
                Attribute.SCHEMA,
                "public",
                () -> {
                  throw new SQLException("half done", "HY000");
                }));
    assertEquals(EnumSet.of(Attribute.SCHEMA), s.dirty(), "unknown state: restore it");
  }

  @Test
  void typeMapAndClientInfoAreRestoredFromCopiesWhenTouched() throws SQLException {
    Recording r = new Recording();
    SessionState s = new SessionState();
    @SuppressWarnings("unchecked")
    Map<String, Class<?>> live =
        s.change(
            r.connection,
            Attribute.TYPE_MAP,
            null,
            () -> (Map<String, Class<?>>) r.values.get("TypeMap"));
    live.put("my_type", String.class); // the driver's own map, changed in place
    s.change(
        r.connection,
        Attribute.CLIENT_INFO,
        null,
        () -> {
          ((Properties) r.values.get("ClientInfo")).setProperty("ApplicationName", "batch-42");
          return null;
        });
    r.calls.clear();
    s.reset(r.connection);
    assertEquals(List.of("setTypeMap", "setClientInfo"), r.setters());
    assertEquals(Map.of(), r.values.get("TypeMap"));
    assertEquals("default-app", ((Properties) r.values.get("ClientInfo")).get("ApplicationName"));
  }

  @Test
  void aTypeMapOnlyLookedAtOrARefusedClientInfoCostsNoSetter() throws SQLException {
    Recording r = new Recording();
    SessionState s = new SessionState();
    s.change(r.connection, Attribute.TYPE_MAP, null, () -> r.values.get("TypeMap"));
    assertThrows(
        SQLException.class,
        () ->
            s.change(
                r.connection,
                Attribute.CLIENT_INFO,
                null,
                () -> {
                  throw new SQLException("refused", "HY000");
                }));
    r.calls.clear();
    s.reset(r.connection);
    assertEquals(List.of(), r.setters(), "Connector/J refuses every setTypeMap");
  }

  @Test
  void aResetThatFailsIsReported() throws SQLException {
    Recording r = new Recording();
    SessionState s = new SessionState();
    s.change(r.connection, Attribute.CATALOG, "other", () -> change(r, "Catalog", "other"));
    r.failOn = "setCatalog";
    assertThrows(SQLException.class, () -> s.reset(r.connection), "the pool closes it instead");
  }

  private static Void change(Recording r, String name, Object value) {
    r.values.put(name, value);
    return null;
  }

  private static String property(Attribute a) {
    return switch (a) {
      case READ_ONLY -> "ReadOnly";
      case ISOLATION -> "TransactionIsolation";
      case CATALOG -> "Catalog";
      case SCHEMA -> "Schema";
      case HOLDABILITY -> "Holdability";
      case TYPE_MAP -> "TypeMap";
      case NETWORK_TIMEOUT -> "NetworkTimeout";
      case CLIENT_INFO -> "ClientInfo";
    };
  }
}
