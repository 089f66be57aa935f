package org.conformance.avro.peer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The peer command line of containers/README.md:
 * <pre>
 * server --transport T --protocol P --server-kind K --host H --port N
 * client --transport T --protocol P --server-kind K --host H --port N --cases id1,id2,...
 * </pre>
 */
final class Options {
  final String role;
  final String transport;
  final String protocol;
  final String serverKind;
  final String host;
  final int port;
  final List<String> cases;

  private Options(String role, String transport, String protocol, String serverKind, String host, int port, List<String> cases) {
    this.role = role;
    this.transport = transport;
    this.protocol = protocol;
    this.serverKind = serverKind;
    this.host = host;
    this.port = port;
    this.cases = cases;
  }

  static Options parse(String[] args) {
    if (args.length == 0 || !(args[0].equals("server") || args[0].equals("client")))
      throw new IllegalArgumentException("the first argument is the role: server or client");
    String transport = null, protocol = null, serverKind = null, host = null, port = null, cases = null;
    for (int i = 1; i < args.length; i += 2) {
      if (i + 1 >= args.length) throw new IllegalArgumentException("option " + args[i] + " has no value");
      String value = args[i + 1];
      switch (args[i]) {
        case "--transport": transport = value; break;
        case "--protocol": protocol = value; break;
        case "--server-kind": serverKind = value; break;
        case "--host": host = value; break;
        case "--port": port = value; break;
        case "--cases": cases = value; break;
        default: throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String role = args[0];
    require(transport, "--transport");
    require(protocol, "--protocol");
    require(host, "--host");
    require(port, "--port");
    if (role.equals("client")) require(cases, "--cases");
    String expectedKind = Transports.serverKind(transport);
    // A server's kind is fixed by the transport here; a different one means the harness and
    // peer.json disagree, which must not pass silently. A client gets the kind of the server it
    // talks to (e.g. "ours" for the TypeScript server) and only shows it in its output.
    if (role.equals("server") && serverKind != null && !serverKind.equals(expectedKind))
      throw new IllegalArgumentException("transport " + transport + " is served by " + expectedKind + ", not " + serverKind);
    int portNumber;
    try {
      portNumber = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--port is not a number: " + port);
    }
    List<String> ids = cases == null ? List.of()
        : new ArrayList<>(Arrays.stream(cases.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
    return new Options(role, transport, protocol, serverKind == null ? (role.equals("server") ? expectedKind : "unknown") : serverKind,
        host, portNumber, ids);
  }

  private static void require(String value, String option) {
    if (value == null) throw new IllegalArgumentException("missing " + option);
  }
}
