package org.conformance.thrift.peer;

import org.apache.thrift.TProcessor;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A servlet listener: libthrift's TServlet at /thrift in a Jetty 12 server of its own (http, or
 * https with the plan's certificate). Jetty's core is the same for javax and jakarta servlets;
 * {@link ServletMount} is the one class that differs (src/servlet-ee8, src/servlet-ee9).
 */
final class HttpListener {
  private HttpListener() {}

  /** The HTTP path every peer serves (suites/thrift/data/README.md). */
  static final String PATH = "/thrift";

  /** Returns once the connector listens; throws when it cannot bind. */
  static Server start(Plan.Endpoint l, TProcessor processor, Axes.Protocol protocol) throws Exception {
    // Small pools: a plan may hold many listeners, each a Jetty server of its own.
    QueuedThreadPool threads = new QueuedThreadPool(12, 2);
    threads.setName(l.key());
    threads.setDaemon(true);
    Server jetty = new Server(threads);
    ServerConnector connector;
    if (l.socket().equals("tls")) {
      PeerServer.require(l.tls() != null && l.tls().cert() != null && l.tls().key() != null, "socket tls needs tls.cert and tls.key");
      SslContextFactory.Server tls = new SslContextFactory.Server();
      tls.setKeyStore(Tls.keyStore(l.tls()));
      tls.setKeyStorePassword(Tls.PASSWORD);
      connector = new ServerConnector(jetty, 1, 1, tls);
    } else {
      connector = new ServerConnector(jetty, 1, 1);
    }
    connector.setHost(l.host());
    connector.setPort(l.port());
    jetty.addConnector(connector);
    jetty.setHandler(ServletMount.mount(processor, protocol.request(), protocol.response(), PATH));
    jetty.start();
    return jetty;
  }
}
