package org.conformance.thrift.peer;

import org.apache.thrift.TServiceClient;
import org.apache.thrift.protocol.TMultiplexedProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.transport.THttpClient;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.conformance.thrift.Conformance;
import org.conformance.thrift.Secondary;

/** One client connection to the server under test, with the cell's transport and protocols. */
final class Connection implements AutoCloseable {
  final TTransport transport;
  /** Reads responses. */
  final TProtocol in;
  /** Writes requests (never multiplexed itself: see {@link #requests(String)}). */
  final TProtocol out;
  final boolean multiplexed;

  private Connection(TTransport transport, TProtocol in, TProtocol out, boolean multiplexed) {
    this.transport = transport;
    this.in = in;
    this.out = out;
    this.multiplexed = multiplexed;
  }

  /**
   * Opens a connection. {@code requestProtocol}, when not null, replaces the protocol requests are
   * written in (the mismatched-protocol case); responses are still read in the cell's protocol.
   */
  static Connection open(Main.Options options, String requestProtocol, int timeoutMillis) throws TTransportException {
    Protocols.Pair protocols = Protocols.of(options.protocol());
    TTransport transport = switch (options.transport()) {
      case "http" -> {
        THttpClient http = new THttpClient(
            "http://" + options.host() + ":" + options.port() + PeerServer.HTTP_PATH);
        http.setConnectTimeout(timeoutMillis);
        http.setReadTimeout(timeoutMillis);
        yield http;
      }
      // Java's TSocket buffers its streams itself: it is the "buffered" transport.
      case "buffered" -> new TSocket(options.host(), options.port(), timeoutMillis);
      case "framed" -> new TFramedTransport(new TSocket(options.host(), options.port(), timeoutMillis));
      default -> throw new IllegalArgumentException("unknown transport " + options.transport());
    };
    transport.open();
    TProtocol out = (requestProtocol == null ? protocols.request() : Protocols.plain(requestProtocol))
        .getProtocol(transport);
    TProtocol in = protocols.response().getProtocol(transport);
    return new Connection(transport, in, out, protocols.multiplexed());
  }

  /** The protocol a call to {@code service} is written with (the multiplexed wrapper if any). */
  TProtocol requests(String service) {
    return multiplexed ? new TMultiplexedProtocol(out, service) : out;
  }

  /** A generated client; Client(in, out) takes separate response and request protocols. */
  TServiceClient client(String service) {
    return switch (service) {
      case Protocols.CONFORMANCE -> new Conformance.Client(in, requests(service));
      case Protocols.SECONDARY -> new Secondary.Client(in, requests(service));
      default -> throw new IllegalArgumentException("unknown service " + service);
    };
  }

  @Override
  public void close() {
    transport.close();
  }
}
