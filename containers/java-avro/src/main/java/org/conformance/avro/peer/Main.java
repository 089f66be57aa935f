package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.conformance.peer.common.KeyedLog;

/**
 * Entry point of the Java Avro reference peer (containers/README.md):
 * <pre>
 * server --plan FILE     every listener of the plan in this JVM
 * client --plan FILE     every cell of the plan, one TAP 13 block per cell
 * datafile ...           Avro object container files (DataFiles.java)
 * </pre>
 */
public final class Main {
  /**
   * Avro 1.12.2 (AVRO-4189) checks every class that its SpecificData resolves by name against an
   * allow-list. avro-ipc's own Responder and Requestor read and write the handshake with
   * SpecificDatumReader/Writer of its generated classes, so without this both fail at construction
   * with "SecurityException: Forbidden org.apache.avro.ipc.HandshakeRequest! This class is not
   * trusted...". Trust exactly the four handshake classes, through the system property the error
   * message names (releases before 1.12.2 have no allow-list and ignore it). Every application
   * value here is generic.
   */
  private static final String TRUSTED_HANDSHAKE_CLASSES = "org.apache.avro.ipc.HandshakeRequest,"
      + "org.apache.avro.ipc.HandshakeResponse,org.apache.avro.ipc.HandshakeMatch,org.apache.avro.ipc.MD5";

  private Main() {}

  public static void main(String[] args) throws Exception {
    // [datafile] Avro object container files: a role of its own, with its own options (DataFiles.java).
    if (args.length > 0 && args[0].equals("datafile")) {
      System.exit(DataFiles.main(java.util.Arrays.copyOfRange(args, 1, args.length)));
      return;
    }
    // Before any Avro class is loaded: the allow-list reads the property once, when it initialises.
    System.setProperty("org.apache.avro.SERIALIZABLE_CLASSES", TRUSTED_HANDSHAKE_CLASSES);
    KeyedLog.install();
    if (args.length > 0 && args[0].equals("bench")) { Bench.main(args); return; } // [bench] bench/README.md
    String role = args.length > 0 ? args[0] : "";
    JsonNode plan;
    try {
      if (!role.equals("server") && !role.equals("client"))
        throw new IllegalArgumentException("usage: server|client --plan FILE, or datafile ...");
      plan = Plan.read(args, role);
    } catch (Exception e) {
      KeyedLog.log("java-avro peer: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (role.equals("server")) {
      // SIGTERM ends the JVM at once: no graceful drain of Jetty or Netty (the harness removes the container).
      Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(0)));
      PlanServer.serve(plan);
      return;
    }
    JsonNode cases = new ObjectMapper().readTree(new File(Protocols.DATA_DIR, "cases.json"));
    // TAP must be UTF-8 whatever the container's locale is: case ids and values are Unicode.
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    for (Plan.Cell cell : Plan.cells(plan)) new CellRunner(cell, cases, out).run();
    out.flush();
    // Threads of a case that timed out may still be blocked in a transceiver; they must not keep the JVM alive.
    Runtime.getRuntime().halt(0);
  }
}
