package dev.xatm.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The session attributes a borrower can change through the {@link Connection} API, tracked per
 * attribute as HikariCP and Agroal do, so that the pool restores exactly what changed and nothing
 * else before the physical connection serves the next borrower.
 *
 * <p>An attribute's default is read from the connection just before the first change through a
 * handle (so a connection nobody changes costs no extra round trip); until then it holds the value
 * the connection was opened with, and every reset puts that value back. A change that sets the
 * default again clears the dirty bit; a change that fails leaves the attribute dirty (its state is
 * unknown). Changes made with SQL ({@code SET search_path}, {@code USE db}) are not seen.
 *
 * <p>Threading: the connection's users call {@link #change} one at a time (JDBC's contract); the
 * pool calls {@link #reset} after the last use ended. A lock orders them anyway, because a
 * transaction's branch connection may be used from more than one thread in turn.
 */
final class SessionState {
  /** Passed to {@code setNetworkTimeout} on reset; the call itself does not run tasks. */
  private static final Executor DIRECT = Runnable::run;

  /** The attributes, in the order a reset restores them. */
  enum Attribute {
    CATALOG(true) {
      @Override
      Object read(Connection c) throws SQLException {
        return c.getCatalog();
      }

      @Override
      void write(Connection c, Object v) throws SQLException {
        c.setCatalog((String) v);
      }
    },
    SCHEMA(true) {
      @Override
      Object read(Connection c) throws SQLException {
        return c.getSchema();
      }

      @Override
      void write(Connection c, Object v) throws SQLException {
        c.setSchema((String) v);
      }
    },
    READ_ONLY(true) {
      @Override
      Object read(Connection c) throws SQLException {
        return c.isReadOnly();
      }

      @Override
      void write(Connection c, Object v) throws SQLException {
        c.setReadOnly((Boolean) v);
      }
    },
    ISOLATION(true) {
      @Override
      Object read(Connection c) throws SQLException {
        return c.getTransactionIsolation();
      }

      @Override
      void write(Connection c, Object v) throws SQLException {
        c.setTransactionIsolation((Integer) v);
      }
    },
    HOLDABILITY(true) {
      @Override
      Object read(Connection c) throws SQLException {
        return c.getHoldability();
      }

      @Override
      void write(Connection c, Object v) throws SQLException {
        c.setHoldability((Integer) v);
      }
    },
    /**
     * Dirty once touched, also by {@code getTypeMap}: drivers (pgjdbc) hand out their own map,
     * which the borrower may then change in place. The reset compares first (a local getter).
     */
    TYPE_MAP(false) {
      @Override
      Object read(Connection c) throws SQLException {
        Map<String, Class<?>> m = c.getTypeMap();
        return m == null ? null : Map.copyOf(m);
      }

      @Override
      void write(Connection c, Object v) throws SQLException {
        if (Objects.equals(read(c), v)) {
          return; // looked at, not changed; and Connector/J refuses every setTypeMap
        }
        @SuppressWarnings("unchecked")
        Map<String, Class<?>> m = (Map<String, Class<?>>) v;
        c.setTypeMap(m == null ? null : new HashMap<>(m)); // a copy the next borrower may change
      }
    },
    NETWORK_TIMEOUT(true) {
      @Override
      Object read(Connection c) throws SQLException {
        return c.getNetworkTimeout();
      }

      @Override
      void write(Connection c, Object v) throws SQLException {
        c.setNetworkTimeout(DIRECT, (Integer) v);
      }
    },
    /**
     * Dirty once touched: one property may change while the others stay. The reset compares first
     * (a local getter in pgjdbc and Connector/J).
     */
    CLIENT_INFO(false) {
      @Override
      Object read(Connection c) throws SQLException {
        Properties p = new Properties();
        p.putAll(c.getClientInfo());
        return p;
      }

      @Override
      void write(Connection c, Object v) throws SQLException {
        if (read(c).equals(v)) {
          return; // the change failed or set what was there: no round trip
        }
        Properties defaults = (Properties) v;
        Properties p = new Properties();
        p.putAll(defaults);
        c.setClientInfo(p); // JDBC: properties not in p are cleared
        // Connector/J neither clears absent properties nor accepts null: overwrite what is left
        // with the empty string, so no borrower's value (a request id, say) reaches the next one.
        for (Map.Entry<Object, Object> e : ((Properties) read(c)).entrySet()) {
          String name = (String) e.getKey();
          String want = defaults.getProperty(name, "");
          if (!want.equals(e.getValue())) {
            c.setClientInfo(name, want);
          }
        }
      }
    };

    /** True when a change back to the default value makes the attribute clean again. */
    private final boolean comparable;

    Attribute(boolean comparable) {
      this.comparable = comparable;
    }

    abstract Object read(Connection c) throws SQLException;

    abstract void write(Connection c, Object v) throws SQLException;
  }

  /** A call through the JDBC API that changes (or may change) an attribute. */
  @FunctionalInterface
  interface Change<T> {
    T apply() throws SQLException;
  }

  private final ReentrantLock lock = new ReentrantLock();
  // Guarded by lock. EnumMap holds null values (a driver without a catalog or schema).
  private final EnumMap<Attribute, Object> defaults = new EnumMap<>(Attribute.class);
  private final EnumSet<Attribute> dirty = EnumSet.noneOf(Attribute.class);

  /**
   * Runs {@code change} of attribute {@code a} to {@code value} on {@code c}, first reading the
   * attribute's default if this connection has not recorded it yet; returns what {@code change}
   * returns.
   *
   * @param value the value being set, compared with the default; ignored for attributes that are
   *     reset whenever touched
   */
  <T> T change(Connection c, Attribute a, Object value, Change<T> change) throws SQLException {
    lock.lock();
    try {
      if (!defaults.containsKey(a)) {
        defaults.put(a, a.read(c));
      }
      dirty.add(a);
      T result = change.apply();
      if (a.comparable && Objects.equals(value, defaults.get(a))) {
        dirty.remove(a);
      }
      return result;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Restores every dirty attribute to its default.
   *
   * @throws SQLException an attribute could not be restored; the pool then closes the connection
   *     rather than hand a changed session to the next borrower
   */
  void reset(Connection c) throws SQLException {
    lock.lock();
    try {
      for (Attribute a : Attribute.values()) {
        if (dirty.contains(a)) {
          a.write(c, defaults.get(a));
          dirty.remove(a);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** The attributes a reset would restore now (tests, diagnostics). */
  Set<Attribute> dirty() {
    lock.lock();
    try {
      return EnumSet.copyOf(dirty);
    } finally {
      lock.unlock();
    }
  }
}
