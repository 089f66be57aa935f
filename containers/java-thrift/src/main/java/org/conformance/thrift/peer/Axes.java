package org.conformance.thrift.peer;

import java.util.List;
import org.apache.thrift.TMultiplexedProcessor;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.protocol.TJSONProtocol;
import org.apache.thrift.protocol.TProtocolFactory;
import org.apache.thrift.transport.TTransport;
import org.apache.thrift.transport.TTransportException;
import org.apache.thrift.transport.TTransportFactory;
import org.apache.thrift.transport.TZlibTransport;
import org.apache.thrift.transport.layered.TFastFramedTransport;
import org.apache.thrift.transport.layered.TFramedTransport;

/** The transport and protocol words of suites/thrift/data/README.md, as libthrift objects. */
final class Axes {
  private Axes() {}

  /** Service names under the multiplexed protocols, the same for every peer. */
  static final String CONFORMANCE = "Conformance";
  static final String SECONDARY = "Secondary";

  static final List<String> SOCKET_TRANSPORTS = List.of("buffered", "framed", "fastframed", "zlib");

  enum Routing { PLAIN, MULTIPLEXED, DEFAULT_SERVICE }

  /** A protocol word: the protocol requests are written in, the one responses are written in, routing. */
  record Protocol(TProtocolFactory request, TProtocolFactory response, Routing routing) {}

  static Protocol protocol(String word) {
    return switch (word) {
      case "binary", "compact", "json" -> new Protocol(plain(word), plain(word), Routing.PLAIN);
      case "multiplexed-binary", "multiplexed-compact", "multiplexed-json" -> {
        String inner = word.substring("multiplexed-".length());
        yield new Protocol(plain(inner), plain(inner), Routing.MULTIPLEXED);
      }
      case "default-service-binary", "default-service-compact", "default-service-json" -> {
        String inner = word.substring("default-service-".length());
        yield new Protocol(plain(inner), plain(inner), Routing.DEFAULT_SERVICE);
      }
      case "mixed-compact-binary" -> new Protocol(plain("compact"), plain("binary"), Routing.PLAIN);
      case "mixed-binary-compact" -> new Protocol(plain("binary"), plain("compact"), Routing.PLAIN);
      default -> throw new IllegalArgumentException("unknown protocol " + word);
    };
  }

  /** One plain protocol; binary is libthrift's default: strict write, lenient read. */
  static TProtocolFactory plain(String name) {
    return switch (name) {
      case "binary" -> new TBinaryProtocol.Factory();
      case "compact" -> new TCompactProtocol.Factory();
      case "json" -> new TJSONProtocol.Factory();
      default -> throw new IllegalArgumentException("unknown plain protocol " + name);
    };
  }

  /**
   * The processor a listener serves: Conformance alone, or both services behind libthrift's
   * TMultiplexedProcessor, which with a default service also answers plain (unprefixed) calls.
   */
  static TProcessor processor(Routing routing, Idl idl, Codec codec) {
    TProcessor conformance = new ServiceProcessor(idl.service(CONFORMANCE), new ConformanceHandler(idl), codec);
    if (routing == Routing.PLAIN) return conformance;
    TMultiplexedProcessor multiplexed = new TMultiplexedProcessor();
    multiplexed.registerProcessor(CONFORMANCE, conformance);
    multiplexed.registerProcessor(SECONDARY, new ServiceProcessor(idl.service(SECONDARY), new SecondaryHandler(), codec));
    if (routing == Routing.DEFAULT_SERVICE) multiplexed.registerDefault(conformance);
    return multiplexed;
  }

  /**
   * A server's transport layer over each accepted socket. Java has no TBufferedTransport: TSocket
   * buffers its streams itself, so "buffered" is the socket as accepted.
   */
  static TTransportFactory serverLayer(String transport) {
    return switch (transport) {
      case "buffered" -> new TTransportFactory();
      case "framed" -> new TFramedTransport.Factory();
      case "fastframed" -> new TFastFramedTransport.Factory();
      case "zlib" -> new TZlibTransport.Factory();
      default -> throw new IllegalArgumentException("transport " + transport + " is not a socket transport layer");
    };
  }

  /** A client's transport layer over an open socket transport. */
  static TTransport clientLayer(String transport, TTransport socket) throws TTransportException {
    return switch (transport) {
      case "buffered" -> socket;
      case "framed" -> new TFramedTransport(socket);
      case "fastframed" -> new TFastFramedTransport(socket);
      case "zlib" -> new TZlibTransport(socket);
      default -> throw new IllegalArgumentException("transport " + transport + " is not a socket transport layer");
    };
  }
}
