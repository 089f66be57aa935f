package org.conformance.thrift.peer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.protocol.TMultiplexedProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.THttpClient;
import org.apache.thrift.transport.TSSLTransportFactory;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;

/**
 * One client connection to the server under test, with the cell's socket, transport and protocols,
 * all libthrift's: TSocket, TSSLTransportFactory's socket or a Unix channel (see UnixSockets), under
 * TFramedTransport, TFastFramedTransport or TZlibTransport, or THttpClient.
 */
final class Connection implements AutoCloseable {
  private static final Map<Path, SSLSocketFactory> HTTPS = new HashMap<>();

  final TTransport transport;
  /** Reads answers. */
  final TProtocol in;
  /** Writes requests; never multiplexed itself (see {@link #requests(String)}). */
  final TProtocol out;
  private final Axes.Routing routing;
  /** HTTP over tls: the cell and timeout to shake hands with before the exchange, else null. */
  private final Plan.Endpoint httpsCell;
  private final int timeoutMillis;

  private Connection(TTransport transport, TProtocol in, TProtocol out, Axes.Routing routing,
      Plan.Endpoint httpsCell, int timeoutMillis) {
    this.transport = transport;
    this.in = in;
    this.out = out;
    this.routing = routing;
    this.httpsCell = httpsCell;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * For a case that bounds the server's answer to bad input: the TLS work done before its clock
   * starts. A socket over TLS has shaken hands when it was opened (see {@link #open}). HTTP over
   * TLS has no socket to shake hands on before the exchange: HttpsURLConnection connects inside
   * it. So a handshake with the server on a socket of its own, from the same SSLContext, comes
   * first: it takes the JVM's first TLS work out of the server's clock (JSSE's classes loaded, the
   * handshake's code run once: under the release grid's load a Java client's first HTTPS exchange
   * took over 2 s, its answer, HTTP 400, coming only after that), and leaves a session the exchange
   * can resume.
   */
  void handshake() throws Exception {
    if (httpsCell != null) {
      try (SSLSocket socket = (SSLSocket) httpsFactory(httpsCell).createSocket()) {
        socket.connect(new java.net.InetSocketAddress(httpsCell.host(), httpsCell.port()), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        verifyHostname(socket);
        socket.startHandshake();
      }
    }
  }

  /**
   * Opens a connection. {@code writes}, when not null, is the plain protocol requests are written
   * in instead of the cell's (the mismatched-protocol case); answers are read in the cell's.
   */
  static Connection open(Plan.Endpoint cell, String writes, int timeoutMillis) throws Exception {
    Axes.Protocol protocol = Axes.protocol(cell.protocol());
    TTransport transport;
    Plan.Endpoint httpsCell = null;
    if (cell.transport().equals("http")) {
      PeerServer.require(!cell.socket().equals("unix"), "http runs over tcp or tls only");
      boolean tls = cell.socket().equals("tls");
      if (tls) {
        // THttpClient without an Apache HttpClient uses HttpURLConnection, which takes the
        // process-wide default factory: the one that trusts this cell's CA.
        HttpsURLConnection.setDefaultSSLSocketFactory(httpsFactory(cell));
        httpsCell = cell;
      }
      THttpClient http = new THttpClient((tls ? "https" : "http") + "://" + cell.host() + ":" + cell.port() + HttpListener.PATH);
      http.setConnectTimeout(timeoutMillis);
      http.setReadTimeout(timeoutMillis);
      transport = http;
    } else {
      TTransport socket = socket(cell, timeoutMillis);
      if (socket instanceof TSocket plain && plain.getSocket() instanceof SSLSocket ssl) {
        // The handshake now (bounded by the socket's timeout), not at the first write, as SSLSocket
        // would: a case's clock is armed once the connection is open, and what it bounds is the
        // server's answer, not this JVM's TLS set-up. Under the release grid's load (8 JVMs at once)
        // a JVM's first TLS connection took over 5 s at its first write: its first ping timed out.
        try {
          ssl.startHandshake();
        } catch (Exception e) {
          socket.close();
          throw e;
        }
      }
      transport = Axes.clientLayer(cell.transport(), socket);
    }
    TProtocol out = (writes == null ? protocol.request() : Axes.plain(writes)).getProtocol(transport);
    return new Connection(transport, protocol.response().getProtocol(transport), out, protocol.routing(),
        httpsCell, timeoutMillis);
  }

  /** An open socket transport. */
  static TTransport socket(Plan.Endpoint cell, int timeoutMillis) throws Exception {
    switch (cell.socket()) {
      case "tcp": {
        // The constructor with a TConfiguration is the one every release from 0.15.0 has.
        TSocket socket = new TSocket(new TConfiguration(), cell.host(), cell.port(), timeoutMillis);
        socket.open();
        return socket;
      }
      case "tls": {
        TSocket socket = TSSLTransportFactory.getClientSocket(cell.host(), cell.port(), timeoutMillis,
            Tls.clientParameters(ca(cell)));
        verifyHostname((SSLSocket) socket.getSocket());
        return socket;
      }
      case "unix":
        PeerServer.require(cell.path() != null, "socket unix needs a path");
        return UnixSockets.connect(cell.path());
      default:
        throw new IllegalArgumentException("unknown socket " + cell.socket());
    }
  }

  /**
   * TSSLTransportFactory checks the chain against the trust store only; the name check is the
   * caller's, as with any SSLSocket. Set before the first byte, so it applies to the handshake.
   */
  static void verifyHostname(SSLSocket socket) {
    SSLParameters parameters = socket.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(parameters);
  }

  static Path ca(Plan.Endpoint cell) {
    PeerServer.require(cell.tls() != null && cell.tls().ca() != null, "socket tls needs tls.ca");
    return cell.tls().ca();
  }

  private static synchronized SSLSocketFactory httpsFactory(Plan.Endpoint cell) throws Exception {
    Path ca = ca(cell);
    SSLSocketFactory factory = HTTPS.get(ca);
    if (factory == null) {
      factory = Tls.clientContext(ca).getSocketFactory();
      HTTPS.put(ca, factory);
    }
    return factory;
  }

  /** The protocol a call to {@code service} is written with (the multiplexed wrapper if any). */
  TProtocol requests(String service) {
    return routing == Axes.Routing.MULTIPLEXED ? new TMultiplexedProtocol(out, service) : out;
  }

  @Override
  public void close() {
    transport.close();
  }
}
