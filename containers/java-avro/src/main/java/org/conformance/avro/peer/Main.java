package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Protocol;
import org.apache.avro.ipc.HandshakeMatch;
import org.apache.avro.ipc.HandshakeRequest;
import org.apache.avro.ipc.HandshakeResponse;
import org.apache.avro.ipc.MD5;
import org.apache.avro.ipc.Server;
import org.apache.avro.util.ClassSecurityValidator;

/** Entry point of the Java Avro reference peer: "server ..." or "client ..." (containers/README.md). */
public final class Main {
  /** Where the harness bakes suites/avro/data into the image; overridable for runs outside it. */
  private static final String DATA_DIR = System.getProperty("conformance.data", "/spec/suites/avro/data");

  private Main() {}

  public static void main(String[] args) throws Exception {
    // [datafile] Avro object container files: a role of its own, with its own options (DataFiles.java).
    if (args.length > 0 && args[0].equals("datafile")) {
      System.exit(DataFiles.main(java.util.Arrays.copyOfRange(args, 1, args.length)));
      return;
    }
    trustIpcHandshakeClasses();
    Options options;
    Protocol protocol;
    try {
      options = Options.parse(args);
      protocol = Protocol.parse(new File(DATA_DIR, "protocols/" + options.protocol + ".avpr"));
    } catch (Exception e) {
      System.err.println("java-avro peer: " + e.getMessage());
      System.err.println("usage: server|client --transport http|tcp|sasl|netty --protocol NAME --server-kind K"
          + " --host H --port N [--cases id1,id2,...]");
      System.exit(2);
      return;
    }
    if (options.role.equals("server")) {
      serve(options, protocol);
    } else {
      JsonNode cases = new ObjectMapper().readTree(new File(DATA_DIR, "cases.json"));
      // TAP must be UTF-8 whatever the container's locale is: case ids and values are Unicode.
      PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
      new ConformanceClient(options, protocol, cases, out).run(options.cases);
      out.flush();
      System.exit(0); // transport threads (Netty, Jetty client) must not keep the JVM alive
    }
  }

  /**
   * Avro 1.12.2 (AVRO-4189) validates every class that SpecificData resolves by name against an
   * allow-list that holds only a few java.lang classes by default. avro-ipc's own Responder and
   * Requestor read and write the handshake with SpecificDatumReader/Writer of its generated
   * classes, so without this both fail at construction with "SecurityException: Forbidden
   * org.apache.avro.ipc.HandshakeRequest! This class is not trusted...". Trust exactly the four
   * handshake classes, nothing else: every application value here is generic.
   */
  private static void trustIpcHandshakeClasses() {
    ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(ClassSecurityValidator.getGlobal(),
        ClassSecurityValidator.builder().add(HandshakeRequest.class).add(HandshakeResponse.class)
            .add(HandshakeMatch.class).add(MD5.class).build()));
  }

  private static void serve(Options options, Protocol protocol) throws Exception {
    Server server = Transports.startServer(options.transport, new ConformanceResponder(protocol), options.host, options.port);
    System.err.printf("java-avro peer: %s (%s) serving protocol %s on %s:%d, %d ms after JVM start%n", options.serverKind,
        options.transport, protocol.getName(), options.host, server.getPort(),
        System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
    System.out.println("READY port=" + server.getPort());
    System.out.flush();
    server.join();
  }
}
