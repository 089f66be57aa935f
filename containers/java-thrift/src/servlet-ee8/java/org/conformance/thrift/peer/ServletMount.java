package org.conformance.thrift.peer;

import java.util.function.Supplier;
import org.apache.thrift.TProcessor;
import org.apache.thrift.protocol.TProtocolFactory;
import org.apache.thrift.server.TServlet;
import org.eclipse.jetty.ee8.servlet.ServletContextHandler;
import org.eclipse.jetty.ee8.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;

/**
 * libthrift's TServlet in Jetty's ee8 environment: javax.servlet (libthrift 0.15.0 to 0.18.x).
 * The ee9 twin of this file differs in the two imports only.
 */
final class ServletMount {
  private ServletMount() {}

  static Supplier<Handler> mount(TProcessor processor, TProtocolFactory in, TProtocolFactory out, String path) {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new TServlet(processor, in, out)), path);
    return context;
  }
}
