package dev.xatm.jdbc.internal;

import jakarta.transaction.Transaction;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link Connection} applications get: a logical handle that finds its physical connection at
 * every use.
 *
 * <ul>
 *   <li>With an active JTA transaction on the thread, it uses this resource's branch of that
 *       transaction (enlisting it on first use); {@code commit}, {@code rollback}, {@code
 *       setAutoCommit(true)} and savepoints throw SQLState 25000 (JDBC 4.3 section 12.4: the
 *       transaction manager owns the boundaries); {@code getAutoCommit()} is false.
 *   <li>Without one, it holds a pooled connection of its own and behaves as a plain auto-commit
 *       connection. If a transaction starts while it holds one, that connection joins the
 *       transaction (or, when the transaction already has a branch here, goes back to the pool and
 *       the branch's connection is used).
 *   <li>{@code close()} returns a connection it holds to the pool; a branch's connection stays with
 *       the transaction and goes back to the pool after completion.
 * </ul>
 *
 * <p>Threading: like any JDBC connection, one thread uses a handle at a time; {@code close()} and
 * {@code abort()} may come from another thread. After close every method but {@code close}, {@code
 * isClosed} and {@code isValid} throws SQLState 08003.
 */
final class XaConnectionHandle implements Connection {
  private final ManagedResource resource;
  private final ReentrantLock lock = new ReentrantLock();
  // Statement proxies created through this handle, closed with it; value: the raw statement.
  private final Map<Statement, Statement> statements = new ConcurrentHashMap<>();

  // Guarded by lock.
  private PooledXaConnection local;
  private int localGeneration;
  private ManagedResource.Branch branch;
  private boolean closed;

  XaConnectionHandle(ManagedResource resource) {
    this.resource = resource;
  }

  /** A lease of a physical connection taken for one call. */
  private record Use(PooledXaConnection lease, int generation) {}

  @FunctionalInterface
  private interface SqlCall<T> {
    T apply(Connection c, Use use) throws SQLException;
  }

  /** Binds a local connection now (no transaction); see {@link ManagedResource#connection()}. */
  void bindNow() throws SQLException {
    Use u = use();
    u.lease.exit();
  }

  /** Resolves the physical connection for the thread's current transaction and enters it. */
  private Use use() throws SQLException {
    lock.lock();
    try {
      if (closed) {
        throw new SQLException(
            "the connection to " + resource.pool().name() + " is closed", "08003");
      }
      Transaction tx;
      try {
        tx = resource.currentTransaction();
      } catch (SQLException e) {
        String interrupted = branch == null ? null : branch.interruptReason();
        if (interrupted != null) {
          throw Timeouts.interrupted(interrupted, null); // the reaper stopped this branch
        }
        throw e;
      }
      if (tx == null) {
        branch = null; // a completed or suspended transaction's connection is not ours to use
        if (local == null) {
          // acquire returns holding one use: the handle's hold until close or a transaction.
          local = resource.pool().acquire();
          localGeneration = local.generation();
        }
        return enterOrFail(local, localGeneration);
      }
      if (branch != null && branch.transaction().equals(tx) && !branch.isCompleted()) {
        return enterOrFail(branch.connection(), branch.generation());
      }
      branch = null;
      PooledXaConnection adopt = null;
      if (local != null) {
        if (!local.connection().getAutoCommit()) {
          throw new SQLException(
              "this connection to "
                  + resource.pool().name()
                  + " has an open local transaction (autoCommit=false) and the thread now has a"
                  + " JTA transaction; commit or roll back the local transaction first",
              "25000");
        }
        adopt = local;
        local = null;
      }
      branch = resource.join(tx, adopt);
      return enterOrFail(branch.connection(), branch.generation());
    } finally {
      lock.unlock();
    }
  }

  private Use enterOrFail(PooledXaConnection lease, int generation) throws SQLException {
    if (!lease.enter(generation)) {
      String interrupted = lease.interruptReason(generation);
      if (interrupted != null) {
        throw Timeouts.interrupted(interrupted, null);
      }
      throw new SQLException(
          "the transaction of this connection to "
              + resource.pool().name()
              + " completed while it was being used",
          "08003");
    }
    return new Use(lease, generation);
  }

  private <T> T call(SqlCall<T> f) throws SQLException {
    Use u = use();
    try {
      return f.apply(u.lease.connection(), u);
    } catch (SQLException e) {
      u.lease.classify(e);
      throw e;
    } finally {
      u.lease.exit();
    }
  }

  private void run(SqlCall<Void> f) throws SQLException {
    call(f);
  }

  /**
   * A change of a session attribute to {@code value}: recorded per attribute so the pool restores
   * it (and only it) before the physical connection serves another borrower.
   */
  private void changeState(SessionState.Attribute attribute, Object value, StateChange change)
      throws SQLException {
    run(
        (c, u) -> {
          return u.lease
              .session()
              .change(
                  c,
                  attribute,
                  value,
                  () -> {
                    change.apply(c);
                    return null;
                  });
        });
  }

  @FunctionalInterface
  private interface StateChange {
    void apply(Connection c) throws SQLException;
  }

  private <S extends Statement> S track(Class<S> type, S raw, Use u) {
    u.lease.trackStatement(raw);
    S proxy = JdbcProxies.statement(type, raw, this, u.lease, u.generation);
    statements.put(proxy, raw);
    return proxy;
  }

  /**
   * Called by a statement proxy's close with the connection the statement was created on. It does
   * not read {@link #local} or {@link #branch}: those are guarded by {@link #lock}, which a close
   * from another thread must not wait for, and they may name a later connection by now.
   */
  void forget(Statement raw, Statement proxy, PooledXaConnection createdOn) {
    statements.remove(proxy);
    createdOn.untrackStatement(raw);
  }

  /** True when the thread's transaction is active (the connection is, or will be, enlisted). */
  private boolean inTransaction() throws SQLException {
    if (isClosed()) {
      throw new SQLException("the connection to " + resource.pool().name() + " is closed", "08003");
    }
    return resource.currentTransaction() != null;
  }

  private SQLException forbidden(String what) {
    return new SQLException(
        what
            + " is not allowed on a connection enlisted in a JTA transaction (JDBC 4.3 section"
            + " 12.4); end the transaction through UserTransaction or TransactionManager",
        "25000");
  }

  // --- transaction demarcation ---------------------------------------------------------------

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    if (inTransaction()) {
      if (autoCommit) {
        throw forbidden("setAutoCommit(true)");
      }
      return; // already part of a global transaction
    }
    run(
        (c, u) -> {
          c.setAutoCommit(autoCommit);
          return null;
        });
  }

  @Override
  public boolean getAutoCommit() throws SQLException {
    if (inTransaction()) {
      return false;
    }
    return call((c, u) -> c.getAutoCommit());
  }

  @Override
  public void commit() throws SQLException {
    if (inTransaction()) {
      throw forbidden("commit()");
    }
    run(
        (c, u) -> {
          c.commit();
          return null;
        });
  }

  @Override
  public void rollback() throws SQLException {
    if (inTransaction()) {
      throw forbidden("rollback()");
    }
    run(
        (c, u) -> {
          c.rollback();
          return null;
        });
  }

  @Override
  public Savepoint setSavepoint() throws SQLException {
    if (inTransaction()) {
      throw forbidden("setSavepoint()");
    }
    return call((c, u) -> c.setSavepoint());
  }

  @Override
  public Savepoint setSavepoint(String name) throws SQLException {
    if (inTransaction()) {
      throw forbidden("setSavepoint(String)");
    }
    return call((c, u) -> c.setSavepoint(name));
  }

  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    if (inTransaction()) {
      throw forbidden("rollback(Savepoint)");
    }
    run(
        (c, u) -> {
          c.rollback(savepoint);
          return null;
        });
  }

  @Override
  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    if (inTransaction()) {
      throw forbidden("releaseSavepoint(Savepoint)");
    }
    run(
        (c, u) -> {
          c.releaseSavepoint(savepoint);
          return null;
        });
  }

  // --- lifecycle -----------------------------------------------------------------------------

  @Override
  public void close() throws SQLException {
    PooledXaConnection release;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      release = local;
      local = null;
      branch = null;
    } finally {
      lock.unlock();
    }
    SQLException first = null;
    for (Statement proxy : statements.keySet()) {
      try {
        proxy.close();
      } catch (SQLException e) {
        first = first == null ? e : first;
      }
    }
    statements.clear();
    if (release != null) {
      release.exit();
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void abort(Executor executor) throws SQLException {
    if (executor == null) {
      throw new SQLException("abort needs an executor", "HY009");
    }
    PooledXaConnection l;
    ManagedResource.Branch b;
    lock.lock();
    try {
      l = local;
      b = branch;
    } finally {
      lock.unlock();
    }
    // JDBC: abort terminates the physical connection; the pool closes it instead of reusing it.
    if (l != null) {
      l.markBroken("aborted by the application");
    }
    if (b != null) {
      b.connection().markBroken("aborted by the application");
    }
    executor.execute(
        () -> {
          try {
            close();
          } catch (SQLException e) {
            // abort must not fail; the physical connection is closed by the pool anyway.
          }
        });
  }

  @Override
  public boolean isValid(int timeout) throws SQLException {
    if (timeout < 0) {
      throw new SQLException("isValid timeout must be >= 0, was " + timeout, "HY000");
    }
    if (isClosed()) {
      return false;
    }
    return call((c, u) -> c.isValid(timeout));
  }

  // --- statements ------------------------------------------------------------------------------

  @Override
  public Statement createStatement() throws SQLException {
    return call((c, u) -> track(Statement.class, c.createStatement(), u));
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency)
      throws SQLException {
    return call(
        (c, u) ->
            track(Statement.class, c.createStatement(resultSetType, resultSetConcurrency), u));
  }

  @Override
  public Statement createStatement(
      int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
    return call(
        (c, u) ->
            track(
                Statement.class,
                c.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability),
                u));
  }

  @Override
  public PreparedStatement prepareStatement(String sql) throws SQLException {
    return call((c, u) -> track(PreparedStatement.class, c.prepareStatement(sql), u));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
      throws SQLException {
    return call(
        (c, u) ->
            track(
                PreparedStatement.class,
                c.prepareStatement(sql, resultSetType, resultSetConcurrency),
                u));
  }

  @Override
  public PreparedStatement prepareStatement(
      String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
      throws SQLException {
    return call(
        (c, u) ->
            track(
                PreparedStatement.class,
                c.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability),
                u));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    return call(
        (c, u) -> track(PreparedStatement.class, c.prepareStatement(sql, autoGeneratedKeys), u));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return call(
        (c, u) -> track(PreparedStatement.class, c.prepareStatement(sql, columnIndexes), u));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return call((c, u) -> track(PreparedStatement.class, c.prepareStatement(sql, columnNames), u));
  }

  @Override
  public CallableStatement prepareCall(String sql) throws SQLException {
    return call((c, u) -> track(CallableStatement.class, c.prepareCall(sql), u));
  }

  @Override
  public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency)
      throws SQLException {
    return call(
        (c, u) ->
            track(
                CallableStatement.class,
                c.prepareCall(sql, resultSetType, resultSetConcurrency),
                u));
  }

  @Override
  public CallableStatement prepareCall(
      String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability)
      throws SQLException {
    return call(
        (c, u) ->
            track(
                CallableStatement.class,
                c.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability),
                u));
  }

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    return call((c, u) -> JdbcProxies.metaData(c.getMetaData(), this, u.lease, u.generation));
  }

  // --- session state: delegated; changes mark the pooled connection for a reset ---------------

  @Override
  public String nativeSQL(String sql) throws SQLException {
    return call((c, u) -> c.nativeSQL(sql));
  }

  @Override
  public void setReadOnly(boolean readOnly) throws SQLException {
    changeState(SessionState.Attribute.READ_ONLY, readOnly, c -> c.setReadOnly(readOnly));
  }

  @Override
  public boolean isReadOnly() throws SQLException {
    return call((c, u) -> c.isReadOnly());
  }

  @Override
  public void setCatalog(String catalog) throws SQLException {
    changeState(SessionState.Attribute.CATALOG, catalog, c -> c.setCatalog(catalog));
  }

  @Override
  public String getCatalog() throws SQLException {
    return call((c, u) -> c.getCatalog());
  }

  @Override
  public void setTransactionIsolation(int level) throws SQLException {
    changeState(SessionState.Attribute.ISOLATION, level, c -> c.setTransactionIsolation(level));
  }

  @Override
  public int getTransactionIsolation() throws SQLException {
    return call((c, u) -> c.getTransactionIsolation());
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    return call((c, u) -> c.getWarnings());
  }

  @Override
  public void clearWarnings() throws SQLException {
    run(
        (c, u) -> {
          c.clearWarnings();
          return null;
        });
  }

  @Override
  public Map<String, Class<?>> getTypeMap() throws SQLException {
    // Drivers may return their own map, which the caller can then change in place.
    return call(
        (c, u) ->
            u.lease.session().change(c, SessionState.Attribute.TYPE_MAP, null, c::getTypeMap));
  }

  @Override
  public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
    changeState(SessionState.Attribute.TYPE_MAP, map, c -> c.setTypeMap(map));
  }

  @Override
  public void setHoldability(int holdability) throws SQLException {
    changeState(
        SessionState.Attribute.HOLDABILITY, holdability, c -> c.setHoldability(holdability));
  }

  @Override
  public int getHoldability() throws SQLException {
    return call((c, u) -> c.getHoldability());
  }

  @Override
  public Clob createClob() throws SQLException {
    return call((c, u) -> c.createClob());
  }

  @Override
  public Blob createBlob() throws SQLException {
    return call((c, u) -> c.createBlob());
  }

  @Override
  public NClob createNClob() throws SQLException {
    return call((c, u) -> c.createNClob());
  }

  @Override
  public SQLXML createSQLXML() throws SQLException {
    return call((c, u) -> c.createSQLXML());
  }

  @Override
  public void setClientInfo(String name, String value) throws SQLClientInfoException {
    try {
      changeState(SessionState.Attribute.CLIENT_INFO, null, c -> c.setClientInfo(name, value));
    } catch (SQLClientInfoException e) {
      throw e;
    } catch (SQLException e) {
      throw new SQLClientInfoException(e.getMessage(), e.getSQLState(), e.getErrorCode(), null, e);
    }
  }

  @Override
  public void setClientInfo(Properties properties) throws SQLClientInfoException {
    try {
      changeState(SessionState.Attribute.CLIENT_INFO, null, c -> c.setClientInfo(properties));
    } catch (SQLClientInfoException e) {
      throw e;
    } catch (SQLException e) {
      throw new SQLClientInfoException(e.getMessage(), e.getSQLState(), e.getErrorCode(), null, e);
    }
  }

  @Override
  public String getClientInfo(String name) throws SQLException {
    return call((c, u) -> c.getClientInfo(name));
  }

  @Override
  public Properties getClientInfo() throws SQLException {
    return call((c, u) -> c.getClientInfo());
  }

  @Override
  public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
    return call((c, u) -> c.createArrayOf(typeName, elements));
  }

  @Override
  public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
    return call((c, u) -> c.createStruct(typeName, attributes));
  }

  @Override
  public void setSchema(String schema) throws SQLException {
    changeState(SessionState.Attribute.SCHEMA, schema, c -> c.setSchema(schema));
  }

  @Override
  public String getSchema() throws SQLException {
    return call((c, u) -> c.getSchema());
  }

  @Override
  public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
    changeState(
        SessionState.Attribute.NETWORK_TIMEOUT,
        milliseconds,
        c -> c.setNetworkTimeout(executor, milliseconds));
  }

  @Override
  public int getNetworkTimeout() throws SQLException {
    return call((c, u) -> c.getNetworkTimeout());
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return call((c, u) -> c.unwrap(iface));
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return true;
    }
    return call((c, u) -> c.isWrapperFor(iface));
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      String mode =
          closed
              ? "closed"
              : branch != null ? "in a transaction" : local != null ? "local" : "unbound";
      return "xatm connection to " + resource.pool().name() + " (" + mode + ")";
    } finally {
      lock.unlock();
    }
  }
}
