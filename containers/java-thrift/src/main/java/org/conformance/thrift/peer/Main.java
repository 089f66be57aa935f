package org.conformance.thrift.peer;

import java.io.File;
import java.util.List;
import org.apache.thrift.protocol.TProtocol;
import org.conformance.peer.common.KeyedLog;

/**
 * The Java Thrift reference peer (containers/README.md):
 *
 * <pre>
 *   server --plan /path/plan.json
 *   client --plan /path/plan.json
 * </pre>
 */
public final class Main {
  private Main() {}

  private static final String IDL = System.getenv().getOrDefault("THRIFT_CONFORMANCE_IDL", "/opt/peer/conformance.json");
  private static final String DATA = System.getenv().getOrDefault("THRIFT_CONFORMANCE_DATA", "/spec/suites/thrift/data");

  public static void main(String[] argv) {
    KeyedLog.install();
    // libthrift and Jetty log through slf4j-simple to System.err, which prefixes the listener key.
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    exitAtOnceOnSigterm();
    if (argv.length > 0 && argv[0].equals("bench")) { Bench.main(argv); return; } // [bench] bench/README.md
    if (argv.length != 3 || !(argv[0].equals("server") || argv[0].equals("client")) || !argv[1].equals("--plan")) {
      System.err.println("usage: (server|client) --plan FILE");
      System.exit(2);
    }
    File plan = new File(argv[2]);
    try {
      Idl idl = Idl.read(new File(IDL));
      if (argv[0].equals("server")) {
        PeerServer.serve(Plan.listeners(plan), idl);
      } else {
        List<Plan.Endpoint> cells = Plan.cells(plan);
        System.exit(new CaseRunner(idl, new File(DATA, "cases.json")).run(cells));
      }
    } catch (Exception e) {
      // Only a peer that could not start gets here: unreadable plan, IDL or case catalogue.
      System.err.println("peer could not start: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  /** The libthrift release on the class path (set by the image; the jar manifest as a fallback). */
  static String libthriftVersion() {
    String version = System.getenv("LIBTHRIFT_VERSION");
    if (version == null) version = TProtocol.class.getPackage().getImplementationVersion();
    return version == null ? "(unknown version)" : version;
  }

  /**
   * The harness removes the container: no graceful drain, no shutdown hooks (Jetty's and the
   * thread pools' would wait for connections). halt() ends the JVM at once.
   */
  @SuppressWarnings("restriction")
  private static void exitAtOnceOnSigterm() {
    sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> Runtime.getRuntime().halt(143));
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> Runtime.getRuntime().halt(130));
  }
}
