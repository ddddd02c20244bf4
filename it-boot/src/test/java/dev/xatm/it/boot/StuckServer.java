package dev.xatm.it.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers: a database client that
 * connects to it waits until its own timeout or until {@link #close()} cuts the connections. Lets a
 * test hold a recovery pass inside its scan for as long as it wants.
 *
 * <p>Thread-safe; one accept thread.
 */
public final class StuckServer implements AutoCloseable {
  private final ServerSocket server;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  public StuckServer() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptLoop, "stuck-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far (a client is waiting on each). */
  public int accepted() {
    return accepted.size();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        accepted.add(server.accept());
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Stops listening and closes every accepted connection: clients see the end of the stream. */
  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : accepted) {
      s.close();
    }
  }
}
