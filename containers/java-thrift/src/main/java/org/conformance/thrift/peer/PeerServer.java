package org.conformance.thrift.peer;

import java.net.InetSocketAddress;
import org.apache.thrift.TMultiplexedProcessor;
import org.apache.thrift.TProcessor;
import org.apache.thrift.server.THsHaServer;
import org.apache.thrift.server.TNonblockingServer;
import org.apache.thrift.server.TServer;
import org.apache.thrift.server.TServlet;
import org.apache.thrift.server.TSimpleServer;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.transport.TNonblockingServerSocket;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TTransportFactory;
import org.apache.thrift.transport.layered.TFramedTransport;
import org.conformance.thrift.Conformance;
import org.conformance.thrift.Secondary;
import org.eclipse.jetty.ee9.servlet.ServletContextHandler;
import org.eclipse.jetty.ee9.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The server role: libthrift's own server classes, configured the documented way. Server kinds:
 * simple (TSimpleServer), threadpool (TThreadPoolServer), nonblocking (TNonblockingServer),
 * hsha (THsHaServer), servlet (TServlet in Jetty).
 */
final class PeerServer {
  private PeerServer() {}

  /** The HTTP path every peer serves (suites/thrift/data/README.md). */
  static final String HTTP_PATH = "/thrift";

  static void serve(Main.Options options) throws Exception {
    Protocols.Pair protocols = Protocols.of(options.protocol());
    TProcessor processor = processor(protocols.multiplexed());
    InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
    String kind = options.serverKind();
    String transport = options.transport();

    if (kind.equals("servlet")) {
      require(transport.equals("http"), "server kind servlet needs transport http");
      serveServlet(processor, protocols, address);
      return;
    }
    TServer server;
    switch (kind) {
      case "simple", "threadpool" -> {
        require(transport.equals("buffered") || transport.equals("framed"),
            "server kind " + kind + " needs transport buffered or framed");
        // A plain TSocket is already buffered in Java; "framed" adds the 4-byte length prefix.
        TTransportFactory transports =
            transport.equals("framed") ? new TFramedTransport.Factory() : new TTransportFactory();
        TServerSocket socket = new TServerSocket(address);
        if (kind.equals("simple")) {
          TServer.Args args = new TServer.Args(socket);
          configure(args, processor, protocols);
          server = new TSimpleServer(args.transportFactory(transports));
        } else {
          TThreadPoolServer.Args args = new TThreadPoolServer.Args(socket);
          configure(args, processor, protocols);
          server = new TThreadPoolServer(args.transportFactory(transports));
        }
      }
      case "nonblocking", "hsha" -> {
        // These servers read the frame length themselves: framed is their only transport, and
        // their transport factory must stay the identity (a TFramedTransport would frame twice).
        require(transport.equals("framed"), "server kind " + kind + " needs transport framed");
        TNonblockingServerSocket socket = new TNonblockingServerSocket(address);
        if (kind.equals("nonblocking")) {
          TNonblockingServer.Args args = new TNonblockingServer.Args(socket);
          configure(args, processor, protocols);
          server = new TNonblockingServer(args);
        } else {
          THsHaServer.Args args = new THsHaServer.Args(socket);
          configure(args, processor, protocols);
          server = new THsHaServer(args);
        }
      }
      default -> throw new IllegalArgumentException("unknown server kind " + kind);
    }
    Thread serving = new Thread(server::serve, "thrift-server");
    serving.start();
    // isServing() turns true once the server socket listens and the accept loop is about to run,
    // in every TServer subclass; a server that fails to start ends its thread instead.
    while (!server.isServing()) {
      if (!serving.isAlive()) throw new IllegalStateException("the " + kind + " server stopped before serving");
      Thread.sleep(5);
    }
    ready(options.port());
    serving.join();
  }

  private static void configure(TServer.AbstractServerArgs<?> args, TProcessor processor, Protocols.Pair protocols) {
    args.processor(processor);
    args.inputProtocolFactory(protocols.request());
    args.outputProtocolFactory(protocols.response());
  }

  private static void serveServlet(TProcessor processor, Protocols.Pair protocols, InetSocketAddress address)
      throws Exception {
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost(address.getHostString());
    connector.setPort(address.getPort());
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new TServlet(processor, protocols.request(), protocols.response())),
        HTTP_PATH);
    jetty.setHandler(context);
    jetty.start(); // returns once the connector listens
    ready(address.getPort());
    jetty.join();
  }

  static TProcessor processor(boolean multiplexed) {
    Conformance.Processor<ConformanceHandler> conformance = new Conformance.Processor<>(new ConformanceHandler());
    if (!multiplexed) return conformance;
    TMultiplexedProcessor processor = new TMultiplexedProcessor();
    processor.registerProcessor(Protocols.CONFORMANCE, conformance);
    processor.registerProcessor(Protocols.SECONDARY, new Secondary.Processor<>(new SecondaryHandler()));
    return processor;
  }

  private static void ready(int port) {
    System.out.println("READY port=" + port);
    System.out.flush();
    System.err.println("startup took " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
        + " ms of JVM uptime");
  }

  private static void require(boolean condition, String message) {
    if (!condition) throw new IllegalArgumentException(message);
  }
}
