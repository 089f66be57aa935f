package org.conformance.avro.peer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URL;
import org.apache.avro.ipc.HttpTransceiver;
import org.apache.avro.ipc.Responder;
import org.apache.avro.ipc.SaslSocketServer;
import org.apache.avro.ipc.SaslSocketTransceiver;
import org.apache.avro.ipc.Server;
import org.apache.avro.ipc.SocketServer;
import org.apache.avro.ipc.SocketTransceiver;
import org.apache.avro.ipc.Transceiver;
import org.apache.avro.ipc.jetty.HttpServer;
import org.apache.avro.ipc.netty.NettyServer;
import org.apache.avro.ipc.netty.NettyTransceiver;

/**
 * The transport axis: one Avro Java server and transceiver class per transport name.
 *
 * <pre>
 * http   jetty.HttpServer  / HttpTransceiver        stateless, standard framing in a POST body
 * tcp    SocketServer      / SocketTransceiver      stateful, standard framing (deprecated in Avro, still shipped)
 * sasl   SaslSocketServer  / SaslSocketTransceiver  SASL ANONYMOUS, then standard framing
 * netty  NettyServer       / NettyTransceiver       stateful, Netty framing (serial, count, buffers)
 * </pre>
 */
final class Transports {
  private Transports() {}

  /** The server kind each transport is served by; peer.json declares the same pairs. */
  static String serverKind(String transport) {
    switch (transport) {
      case "http": return "jetty";
      case "tcp": return "SocketServer";
      case "sasl": return "SaslSocketServer";
      case "netty": return "NettyServer";
      default: throw new IllegalArgumentException("unknown transport \"" + transport + "\" (http, tcp, sasl, netty)");
    }
  }

  /** Binds and starts a server; when this returns, the server accepts connections. */
  @SuppressWarnings("deprecation") // SocketServer is deprecated upstream but is the plain stateful socket server
  static Server startServer(String transport, Responder responder, String host, int port) throws Exception {
    InetSocketAddress address = new InetSocketAddress(host, port);
    Server server;
    switch (transport) {
      case "http":
        server = new HttpServer(responder, host, port);
        break;
      case "tcp":
        server = new SocketServer(responder, address);
        break;
      case "sasl":
        server = new SaslSocketServer(responder, address); // SASL ANONYMOUS is its default mechanism
        break;
      case "netty":
        server = new NettyServer(responder, address); // binds in the constructor
        break;
      default:
        throw new IllegalArgumentException("unknown transport \"" + transport + "\"");
    }
    server.start();
    return server;
  }

  /** Opens a client transceiver; the socket transports connect here, HTTP on each call. */
  @SuppressWarnings("deprecation")
  static Transceiver open(String transport, String host, int port, int timeoutMillis) throws IOException {
    InetSocketAddress address = new InetSocketAddress(host, port);
    switch (transport) {
      case "http": {
        HttpTransceiver http = new HttpTransceiver(new URL("http", host, port, "/"));
        http.setTimeout(timeoutMillis);
        return http;
      }
      case "tcp":
        return new SocketTransceiver(address);
      case "sasl":
        return new SaslSocketTransceiver(address);
      case "netty":
        return new NettyTransceiver(address, timeoutMillis);
      default:
        throw new IllegalArgumentException("unknown transport \"" + transport + "\"");
    }
  }
}
