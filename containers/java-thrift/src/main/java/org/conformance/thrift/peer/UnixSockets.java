package org.conformance.thrift.peer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.thrift.transport.TIOStreamTransport;
import org.apache.thrift.transport.TServerTransport;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;

/**
 * Unix domain sockets. libthrift for Java has no Unix socket of its own, so the JDK's channel
 * (Java 16+) carries the bytes and libthrift's TIOStreamTransport does the rest, buffered both
 * ways as TSocket's streams are: every transport layer, protocol and blocking server (TSimpleServer,
 * TThreadPoolServer) on top is libthrift's. The non-blocking servers need a TCP TNonblockingSocket
 * and are not offered over Unix sockets.
 */
final class UnixSockets {
  private UnixSockets() {}

  private static final int BUFFER = 1024;

  static TTransport connect(Path path) throws TTransportException {
    try {
      SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
      return streams(channel);
    } catch (IOException e) {
      throw new TTransportException(TTransportException.NOT_OPEN, "cannot connect to " + path + ": " + e.getMessage(), e);
    }
  }

  private static TTransport streams(SocketChannel channel) throws TTransportException {
    return new TIOStreamTransport(new BufferedInputStream(Channels.newInputStream(channel), BUFFER),
        new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER));
  }

  /** A blocking server transport that listens on a path; bound (or failed) when constructed. */
  static final class Server extends TServerTransport {
    private final ServerSocketChannel channel;
    private final Path path;

    Server(Path path) throws TTransportException {
      this.path = path;
      try {
        // A socket file left by an earlier run of the same plan would make bind fail.
        Files.deleteIfExists(path);
        channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(path));
      } catch (IOException e) {
        throw new TTransportException(TTransportException.NOT_OPEN, "cannot listen on " + path + ": " + e, e);
      }
    }

    @Override
    public void listen() {}

    @Override
    public TTransport accept() throws TTransportException {
      try {
        return streams(channel.accept());
      } catch (IOException e) {
        throw new TTransportException(TTransportException.UNKNOWN, "accept on " + path + " failed: " + e, e);
      }
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // closing is best effort
      }
    }

    @Override
    public void interrupt() {
      close();
    }
  }
}
