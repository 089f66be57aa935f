package org.conformance.thrift.peer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.thrift.TProcessor;
import org.apache.thrift.server.THsHaServer;
import org.apache.thrift.server.TNonblockingServer;
import org.apache.thrift.server.TServer;
import org.apache.thrift.server.TSimpleServer;
import org.apache.thrift.server.TThreadPoolServer;
import org.apache.thrift.server.TThreadedSelectorServer;
import org.apache.thrift.transport.TNonblockingServerSocket;
import org.apache.thrift.transport.TSSLTransportFactory;
import org.apache.thrift.transport.TServerSocket;
import org.apache.thrift.transport.TServerTransport;
import org.conformance.peer.common.KeyedLog;

/**
 * The server role: every listener of the plan in this one JVM, each with its own processor and
 * handler state, on libthrift's own server classes configured the documented way.
 *
 * <ul>
 *   <li>simple (TSimpleServer), threadpool (TThreadPoolServer): transports buffered, framed,
 *       fastframed, zlib; sockets tcp, tls (TSSLTransportFactory), unix;</li>
 *   <li>nonblocking (TNonblockingServer), hsha (THsHaServer), threaded-selector
 *       (TThreadedSelectorServer): these read frames themselves, so framed only, over tcp;</li>
 *   <li>servlet (TServlet in Jetty 12, path /thrift): transport http over tcp or tls.</li>
 * </ul>
 */
final class PeerServer {
  private PeerServer() {}

  /** Every listener must be accepting connections by then, or it is reported FAILED. */
  private static final long START_MILLIS = 20_000;

  /** A started listener: blocks in serve() until the process ends. */
  interface Running {
    boolean serving();

    void serve() throws Exception;
  }

  static void serve(List<Plan.Endpoint> listeners, Idl idl) throws InterruptedException {
    Codec codec = new Codec(idl);
    List<CompletableFuture<Running>> started = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (Plan.Endpoint listener : listeners) {
      CompletableFuture<Running> future = new CompletableFuture<>();
      Thread thread = new Thread(() -> {
        KeyedLog.setKey(listener.key());
        Running running;
        try {
          running = start(listener, idl, codec);
        } catch (Throwable e) {
          future.completeExceptionally(e);
          return;
        }
        future.complete(running);
        try {
          running.serve();
        } catch (Throwable e) {
          KeyedLog.log("stopped serving: " + e);
        }
      }, listener.key());
      thread.setDaemon(true);
      thread.start();
      started.add(future);
      threads.add(thread);
    }
    // Deadlines on the monotonic clock: a step of the wall clock must not cut the wait short.
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
    for (int i = 0; i < listeners.size(); i++) {
      String key = listeners.get(i).key();
      String failure = awaitServing(started.get(i), threads.get(i), deadline);
      if (failure != null) {
        System.out.println("FAILED " + key + " " + failure.replace('\n', ' '));
        System.out.flush();
      }
    }
    System.out.println("READY");
    System.out.flush();
    System.err.println("all listeners up after " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
        + " ms of JVM uptime");
    // Serve until the process is killed (SIGTERM halts it: see Main).
    Thread.currentThread().join();
  }

  /** Null once the listener accepts connections, else why it did not start. */
  private static String awaitServing(CompletableFuture<Running> future, Thread thread, long deadline)
      throws InterruptedException {
    Running running;
    try {
      running = future.get(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return withCauses(e.getCause());
    } catch (TimeoutException e) {
      return "not started within " + START_MILLIS / 1000 + " s";
    }
    while (!running.serving()) {
      if (!thread.isAlive()) return "the server stopped before serving (see its log)";
      if (System.nanoTime() - deadline > 0) return "not serving within " + START_MILLIS / 1000 + " s";
      Thread.sleep(2);
    }
    return null;
  }

  /**
   * An error with what caused it: TServerSocket's "Could not create ServerSocket on address ..."
   * alone does not say why (one listener in the full release grid failed so, once in ~8,000).
   */
  static String withCauses(Throwable error) {
    StringBuilder out = new StringBuilder(String.valueOf(error));
    Throwable cause = error == null ? null : error.getCause();
    for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) out.append("; caused by ").append(cause);
    return out.toString();
  }

  static Running start(Plan.Endpoint l, Idl idl, Codec codec) throws Exception {
    Axes.Protocol protocol = Axes.protocol(l.protocol());
    TProcessor processor = Axes.processor(protocol.routing(), idl, codec);
    String kind = String.valueOf(l.serverKind());
    switch (kind) {
      case "servlet": {
        require(l.transport().equals("http"), "server kind servlet serves transport http only");
        require(!l.socket().equals("unix"), "server kind servlet serves sockets tcp and tls only");
        var jetty = HttpListener.start(l, processor, protocol);
        return new Running() {
          @Override public boolean serving() { return jetty.isStarted(); }
          @Override public void serve() throws InterruptedException { jetty.join(); }
        };
      }
      case "simple":
      case "threadpool": {
        require(Axes.SOCKET_TRANSPORTS.contains(l.transport()),
            "server kind " + kind + " serves transports " + Axes.SOCKET_TRANSPORTS + " only");
        TServerTransport socket = serverSocket(l);
        TServer server;
        if (kind.equals("simple")) {
          server = new TSimpleServer(configure(new TServer.Args(socket), processor, protocol)
              .transportFactory(Axes.serverLayer(l.transport())));
        } else {
          server = new TThreadPoolServer(configure(new TThreadPoolServer.Args(socket), processor, protocol)
              .executorService(workers(l.key()))
              .transportFactory(Axes.serverLayer(l.transport())));
        }
        return running(server);
      }
      case "nonblocking":
      case "hsha":
      case "threaded-selector": {
        // They read the frame length themselves: framed is their only transport, and their
        // transport factory stays the identity (a TFramedTransport would frame twice).
        require(l.transport().equals("framed"), "server kind " + kind + " serves transport framed only");
        require(l.socket().equals("tcp"), "server kind " + kind + " serves socket tcp only");
        TNonblockingServerSocket socket = new TNonblockingServerSocket(new InetSocketAddress(l.host(), l.port()));
        TServer server;
        if (kind.equals("nonblocking")) {
          TNonblockingServer.Args args = configure(new TNonblockingServer.Args(socket), processor, protocol);
          server = new TNonblockingServer(args);
        } else if (kind.equals("hsha")) {
          THsHaServer.Args args = configure(new THsHaServer.Args(socket), processor, protocol);
          server = new THsHaServer(args.executorService(workers(l.key())));
        } else {
          TThreadedSelectorServer.Args args = configure(new TThreadedSelectorServer.Args(socket), processor, protocol);
          server = new TThreadedSelectorServer(args.selectorThreads(1).executorService(workers(l.key())));
        }
        return running(server);
      }
      default:
        throw new IllegalArgumentException("unknown server kind " + kind);
    }
  }

  private static <A extends TServer.AbstractServerArgs<A>> A configure(A args, TProcessor processor, Axes.Protocol protocol) {
    return args.processor(processor).inputProtocolFactory(protocol.request()).outputProtocolFactory(protocol.response());
  }

  /** Bound (or failed) here, in the constructors, so a taken port is this listener's FAILED line. */
  private static TServerTransport serverSocket(Plan.Endpoint l) throws Exception {
    return switch (l.socket()) {
      case "tcp" -> new TServerSocket(new InetSocketAddress(l.host(), l.port()));
      case "tls" -> {
        require(l.tls() != null && l.tls().cert() != null && l.tls().key() != null, "socket tls needs tls.cert and tls.key");
        yield TSSLTransportFactory.getServerSocket(l.port(), 0, InetAddress.getByName(l.host()), Tls.serverParameters(l.tls()));
      }
      case "unix" -> {
        require(l.path() != null, "socket unix needs a path");
        yield new UnixSockets.Server(l.path());
      }
      default -> throw new IllegalArgumentException("unknown socket " + l.socket());
    };
  }

  private static ExecutorService workers(String key) {
    return Executors.newCachedThreadPool(KeyedLog.threads(key));
  }

  private static Running running(TServer server) {
    return new Running() {
      @Override public boolean serving() { return server.isServing(); }
      @Override public void serve() { server.serve(); }
    };
  }

  static void require(boolean condition, String message) {
    if (!condition) throw new IllegalArgumentException(message);
  }
}
