package org.conformance.thrift.peer;

import java.util.HashMap;
import java.util.Map;

/**
 * The Java Thrift reference peer (containers/README.md):
 *
 * <pre>
 *   server --transport T --protocol P --server-kind K --host H --port N
 *   client --transport T --protocol P --server-kind K --host H --port N --cases a,b,c
 * </pre>
 */
public final class Main {
  private Main() {}

  /** The parsed command line. */
  record Options(String role, String transport, String protocol, String serverKind, String host, int port,
                 String cases) {}

  public static void main(String[] argv) {
    Options options;
    try {
      options = parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("usage: (server|client) --transport T --protocol P --server-kind K --host H --port N"
          + " [--cases a,b,c]: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      if (options.role().equals("server")) {
        PeerServer.serve(options);
      } else {
        System.exit(new CaseRunner(options).runAll());
      }
    } catch (Exception e) {
      // Only a peer that could not start gets here: bad axis value, port taken, unreadable cases.
      System.err.println("peer could not start: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  static Options parse(String[] argv) {
    if (argv.length == 0 || !(argv[0].equals("server") || argv[0].equals("client"))) {
      throw new IllegalArgumentException("the first argument is the role, server or client");
    }
    Map<String, String> values = new HashMap<>();
    for (int i = 1; i < argv.length; i += 2) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
        throw new IllegalArgumentException("expected --name value at " + argv[i]);
      }
      values.put(argv[i].substring(2), argv[i + 1]);
    }
    for (String required : new String[] {"transport", "protocol", "port"}) {
      if (!values.containsKey(required)) throw new IllegalArgumentException("--" + required + " is required");
    }
    return new Options(argv[0], values.get("transport"), values.get("protocol"),
        values.getOrDefault("server-kind", "simple"), values.getOrDefault("host", "127.0.0.1"),
        Integer.parseInt(values.get("port")), values.getOrDefault("cases", ""));
  }
}
