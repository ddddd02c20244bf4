package dev.xatm.jdbc.testing;

import java.io.PrintWriter;
import java.sql.SQLException;
import javax.sql.XAConnection;
import javax.sql.XADataSource;

/**
 * The part of an {@link XADataSource} a test fake does not care about: credentials given to {@code
 * getXAConnection(user, password)} go the way of {@code getXAConnection()}, no log writer, no login
 * timeout. A fake implements {@link #getXAConnection()} and its bean setters.
 */
public abstract class TestXaDataSource implements XADataSource {
  @Override
  public XAConnection getXAConnection(String user, String password) throws SQLException {
    return getXAConnection();
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public java.util.logging.Logger getParentLogger() {
    return java.util.logging.Logger.getLogger(getClass().getName());
  }
}
