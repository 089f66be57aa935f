package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.HexFormat;
import javax.net.ssl.SSLSocket;
import org.apache.thrift.protocol.TMultiplexedProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.TMemoryBuffer;

/**
 * A "raw" case: bytes written straight to the socket (buffered), or in one frame whose header says
 * what the case says (framed, fastframed). The server must close the connection within the case's time (it may
 * write an exception first) and then still answer a correct ping on a new connection.
 */
final class RawCase {
  /** The follow-up check: a correct ping on a fresh connection. */
  interface FreshPing {
    void ping() throws CaseRunner.Mismatch;
  }

  private final Plan.Endpoint cell;
  private final JsonNode c;
  private final Codec codec;
  private final Idl idl;

  RawCase(Plan.Endpoint cell, JsonNode c, Codec codec, Idl idl) {
    this.cell = cell;
    this.c = c;
    this.codec = codec;
    this.idl = idl;
  }

  void run(FreshPing fresh) throws Exception {
    // fastframed has framed's bytes (only Java's reader differs): the same frame goes out.
    boolean framed = cell.transport().equals("framed") || cell.transport().equals("fastframed");
    if (!framed && !cell.transport().equals("buffered")) {
      throw new CaseRunner.Mismatch("raw cases run over transports buffered, framed and fastframed only, not " + cell.transport(),
          Notation.JSON.nullNode(), Notation.JSON.nullNode());
    }
    byte[] payload = payload(c.get("send"));
    if (framed) {
      int length = c.has("frameLength") ? c.get("frameLength").intValue() : payload.length;
      payload = ByteBuffer.allocate(4 + payload.length).putInt(length).put(payload).array();
    }
    int millis = c.get("withinSeconds").intValue() * 1000;
    StringBuilder received = new StringBuilder();
    long count = 0;
    try (Stream socket = open(millis); Watchdog deadline = Watchdog.arm(millis, socket::closeQuietly)) {
      OutputStream out = socket.out();
      out.write(payload);
      out.flush();
      if (c.path("halfClose").asBoolean(false)) socket.halfClose();
      InputStream in = socket.in();
      byte[] buffer = new byte[65536];
      boolean timedOut = false;
      try {
        for (int n; (n = in.read(buffer)) >= 0; count += n) {
          if (received.length() < 128) received.append(HexFormat.of().formatHex(buffer, 0, Math.min(n, 64)));
        }
      } catch (IOException e) {
        timedOut = e instanceof SocketTimeoutException;
        // A reset is a close too (the server closed with our unread bytes still queued).
        if (!timedOut && !deadline.fired()) System.err.println("raw: connection ended by " + e);
      }
      // Checked after the loop too: an SSLSocket the watchdog closes under a blocked read may report
      // the end of the stream rather than an error, which would pass for the server's close.
      if (timedOut || deadline.fired()) {
        throw new CaseRunner.Mismatch("the server kept the connection open for " + millis + " ms after bad input",
            Notation.JSON.textNode("connection closed"), Notation.JSON.objectNode().put("received", received.toString()));
      }
    }
    System.err.println("raw: connection closed by the server after " + count + " byte(s): " + received);
    fresh.ping();
  }

  private byte[] payload(JsonNode send) throws Exception {
    JsonNode cut = send.get("truncatedCall");
    if (cut == null) return Notation.bytes(send);
    // The call exactly as this client writes it in the cell's request protocol, then cut short.
    TMemoryBuffer memory = new TMemoryBuffer(1024);
    Axes.Protocol protocol = Axes.protocol(cell.protocol());
    TProtocol out = protocol.request().getProtocol(memory);
    if (protocol.routing() == Axes.Routing.MULTIPLEXED) out = new TMultiplexedProtocol(out, Axes.CONFORMANCE);
    Idl.Function function = idl.function(Axes.CONFORMANCE, cut.get("method").asText());
    StructValue arguments = new Notation(idl).struct(function.arguments(), cut.get("args"));
    Calls.send(codec, out, function, arguments, 0);
    byte[] whole = Arrays.copyOf(memory.getArray(), memory.length());
    return Arrays.copyOf(whole, Math.min(whole.length, cut.get("keepBytes").intValue()));
  }

  /** A plain byte stream over the cell's socket. */
  private interface Stream extends AutoCloseable {
    InputStream in() throws IOException;

    OutputStream out() throws IOException;

    void halfClose() throws IOException;

    void closeQuietly();

    @Override
    default void close() {
      closeQuietly();
    }
  }

  private Stream open(int millis) throws Exception {
    switch (cell.socket()) {
      case "tcp":
      case "tls": {
        Socket socket;
        if (cell.socket().equals("tls")) {
          SSLSocket tls = (SSLSocket) Tls.clientContext(Connection.ca(cell)).getSocketFactory()
              .createSocket(cell.host(), cell.port());
          Connection.verifyHostname(tls);
          // The handshake now, before the case's clock starts: the bound is on the server's answer
          // to the bad input, not on TLS (SSLSocket would shake hands at the write). So the handshake
          // has a call's timeout, not the case's bound: in the full release grid one handshake
          // missed the 2 s while the process serving it stalled for 1.7 s.
          tls.setSoTimeout(CaseRunner.CALL_TIMEOUT_MILLIS);
          tls.startHandshake();
          socket = tls;
        } else {
          socket = new Socket();
          socket.connect(new InetSocketAddress(cell.host(), cell.port()), millis);
        }
        socket.setSoTimeout(millis);
        return new Stream() {
          @Override public InputStream in() throws IOException { return socket.getInputStream(); }
          @Override public OutputStream out() throws IOException { return socket.getOutputStream(); }
          @Override public void halfClose() throws IOException { socket.shutdownOutput(); }
          @Override public void closeQuietly() {
            try {
              socket.close();
            } catch (IOException ignored) {
              // already closed
            }
          }
        };
      }
      case "unix": {
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(cell.path()));
        return new Stream() {
          @Override public InputStream in() { return Channels.newInputStream(channel); }
          @Override public OutputStream out() { return Channels.newOutputStream(channel); }
          @Override public void halfClose() throws IOException { channel.shutdownOutput(); }
          @Override public void closeQuietly() {
            try {
              channel.close();
            } catch (IOException ignored) {
              // already closed
            }
          }
        };
      }
      default:
        throw new IllegalArgumentException("unknown socket " + cell.socket());
    }
  }
}
