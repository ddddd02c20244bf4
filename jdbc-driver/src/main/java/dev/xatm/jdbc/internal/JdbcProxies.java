package dev.xatm.jdbc.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Dynamic proxies for the JDBC objects a connection hands out: statements (plain, prepared,
 * callable), result sets and database metadata.
 *
 * <p>A proxy is simpler here than hand-written delegates: these interfaces have some 400 methods
 * and every one needs the same three things: (1) {@code getConnection()} / {@code getStatement()}
 * return the wrappers, never the physical objects (which would escape the pool); (2) each call runs
 * inside a use of its lease ({@link PooledXaConnection#enter}), so a connection is not returned to
 * the pool while a call runs on it, and an object from an earlier lease fails instead of touching
 * the next borrower's connection; (3) errors are classified so broken connections are evicted.
 *
 * <p>Thread-safety is that of the wrapped object.
 */
final class JdbcProxies {
  private JdbcProxies() {}

  static <T extends Statement> T statement(
      Class<T> type, T raw, XaConnectionHandle handle, PooledXaConnection lease, int generation) {
    Handler h = new Handler(raw, handle, lease, generation, null);
    T proxy = type.cast(Proxy.newProxyInstance(loader(), new Class<?>[] {type}, h));
    h.self = proxy;
    return proxy;
  }

  static DatabaseMetaData metaData(
      DatabaseMetaData raw, XaConnectionHandle handle, PooledXaConnection lease, int generation) {
    Handler h = new Handler(raw, handle, lease, generation, null);
    DatabaseMetaData proxy =
        (DatabaseMetaData)
            Proxy.newProxyInstance(loader(), new Class<?>[] {DatabaseMetaData.class}, h);
    h.self = proxy;
    return proxy;
  }

  private static ResultSet resultSet(
      ResultSet raw,
      XaConnectionHandle handle,
      PooledXaConnection lease,
      int generation,
      Statement parent) {
    Handler h = new Handler(raw, handle, lease, generation, parent);
    ResultSet proxy =
        (ResultSet) Proxy.newProxyInstance(loader(), new Class<?>[] {ResultSet.class}, h);
    h.self = proxy;
    return proxy;
  }

  private static ClassLoader loader() {
    return JdbcProxies.class.getClassLoader();
  }

  private static final class Handler implements InvocationHandler {
    private final Object raw;
    private final XaConnectionHandle handle;
    private final PooledXaConnection lease;
    private final int generation;
    private final Statement parent;
    private Object self;

    Handler(
        Object raw,
        XaConnectionHandle handle,
        PooledXaConnection lease,
        int generation,
        Statement parent) {
      this.raw = raw;
      this.handle = handle;
      this.lease = lease;
      this.generation = generation;
      this.parent = parent;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (method.getDeclaringClass() == Object.class) {
        return switch (name) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          default -> "xatm " + raw;
        };
      }
      int n = args == null ? 0 : args.length;
      switch (name) {
        case "getConnection":
          if (n == 0 && method.getReturnType() == Connection.class) {
            return handle;
          }
          break;
        case "getStatement":
          if (n == 0 && raw instanceof ResultSet) {
            return parent;
          }
          break;
        case "unwrap":
          if (n == 1 && ((Class<?>) args[0]).isInstance(proxy)) {
            return proxy;
          }
          break;
        case "isWrapperFor":
          if (n == 1 && ((Class<?>) args[0]).isInstance(proxy)) {
            return true;
          }
          break;
        case "isClosed":
          if (n == 0 && !lease.enter(generation)) {
            return true;
          }
          lease.exit();
          break;
        case "close":
          if (n == 0) {
            if (raw instanceof Statement s) {
              handle.forget(s, (Statement) self, lease);
            }
            if (!lease.enter(generation)) {
              return null; // the lease ended and closed the physical object already
            }
            try {
              method.invoke(raw);
            } catch (InvocationTargetException e) {
              throw classify(e);
            } finally {
              lease.exit();
            }
            return null;
          }
          break;
        default:
          break;
      }
      if (lease.isSuspended()) {
        // A statement of a suspended transaction must not do work in that transaction's branch
        // while the thread runs other work (TransactionManager.suspend, Spring REQUIRES_NEW).
        throw new SQLException(
            "this "
                + method.getDeclaringClass().getSimpleName()
                + " belongs to a JTA transaction that is suspended; use it again after resume, or"
                + " create a new one for the work done meanwhile",
            "25000");
      }
      if (!lease.enter(generation)) {
        String interrupted = lease.interruptReason(generation);
        if (interrupted != null) {
          throw Timeouts.interrupted(interrupted, null);
        }
        throw new SQLException(
            "this "
                + method.getDeclaringClass().getSimpleName()
                + " is closed: its connection was closed or its transaction completed",
            "08003");
      }
      Statement running = raw instanceof Statement st && name.startsWith("execute") ? st : null;
      Object result;
      try {
        if (running != null) {
          lease.startRunning(running);
        }
        result = method.invoke(raw, args);
      } catch (InvocationTargetException e) {
        Throwable cause = classify(e);
        String interrupted = lease.interruptReason(generation);
        if (interrupted != null && cause instanceof SQLException sql) {
          throw Timeouts.interrupted(interrupted, sql); // the cancel we sent, as a timeout
        }
        throw cause;
      } finally {
        if (running != null) {
          lease.stopRunning(running);
        }
        lease.exit();
      }
      if (result instanceof ResultSet rs && method.getReturnType() == ResultSet.class) {
        Statement owner = raw instanceof Statement ? (Statement) self : null;
        return resultSet(rs, handle, lease, generation, owner);
      }
      return result;
    }

    private Throwable classify(InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sql) {
        lease.classify(sql);
      }
      return cause;
    }
  }
}
