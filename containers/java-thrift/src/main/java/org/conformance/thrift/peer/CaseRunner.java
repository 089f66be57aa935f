package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.thrift.TApplicationException;
import org.apache.thrift.TBase;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.TServiceClient;
import org.apache.thrift.meta_data.FieldMetaData;
import org.apache.thrift.meta_data.FieldValueMetaData;
import org.apache.thrift.meta_data.StructMetaData;
import org.apache.thrift.protocol.TMessage;
import org.apache.thrift.protocol.TMessageType;
import org.apache.thrift.protocol.TMultiplexedProtocol;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;
import org.apache.thrift.transport.TMemoryBuffer;
import org.apache.thrift.transport.TTransportException;
import org.conformance.thrift.Conformance;
import org.conformance.thrift.Secondary;

/**
 * The client role: runs the named cases of suites/thrift/data/cases.json in order against the
 * server under test and prints TAP 13. Each case opens its own connection (a sequence's calls
 * share one), so a case that breaks its connection on purpose cannot spoil the next.
 */
final class CaseRunner {
  private static final String DATA = System.getenv().getOrDefault("THRIFT_CONFORMANCE_DATA", "/spec/suites/thrift/data");
  private static final String GENERATED_PACKAGE = "org.conformance.thrift.";
  private static final int TIMEOUT_MILLIS = 30_000;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** TApplicationException type code -> its constant's name (UNKNOWN_METHOD, INTERNAL_ERROR, ...). */
  private static final Map<Integer, String> APPLICATION_ERRORS = applicationErrorNames();

  private final Main.Options options;

  CaseRunner(Main.Options options) {
    this.options = options;
  }

  /** A case failed: what was expected and what happened. */
  static final class Mismatch extends Exception {
    final JsonNode expected;
    final JsonNode actual;

    Mismatch(String message, JsonNode expected, JsonNode actual) {
      super(message);
      this.expected = expected;
      this.actual = actual;
    }

    Mismatch(String message) {
      this(message, null, null);
    }
  }

  int runAll() throws IOException {
    Protocols.of(options.protocol()); // an unknown axis value is a start-up error, not a TAP line
    Map<String, JsonNode> catalogue = new HashMap<>();
    for (JsonNode c : MAPPER.readTree(new File(DATA, "cases.json")).get("cases")) catalogue.put(c.get("id").asText(), c);
    String[] ids = Arrays.stream(options.cases().split(",")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    System.out.println("TAP version 13");
    System.out.println("1.." + ids.length);
    System.out.flush();
    for (int n = 1; n <= ids.length; n++) {
      String id = ids[n - 1];
      // When the case starts, on the host's clock (containers share it), in ms to the µs: the harness
      // cuts its server's wire log by these (cases on loopback often take less than a millisecond).
      java.time.Instant now = java.time.Instant.now();
      System.out.printf("# case %s begins %d.%03d%n", id, now.toEpochMilli(), now.getNano() / 1000 % 1000);
      System.out.flush();
      try {
        JsonNode c = catalogue.get(id);
        if (c == null) throw new Mismatch("no case " + id + " in cases.json");
        run(c);
        System.out.println("ok " + n + " - " + id);
      } catch (Exception | AssertionError e) { // every failure is a TAP line, never an exit code
        System.err.println("case " + id + " failed: " + e);
        System.out.println("not ok " + n + " - " + id);
        System.out.println(yaml(e));
      }
      System.out.flush();
    }
    return 0;
  }

  private void run(JsonNode c) throws Exception {
    String kind = c.get("kind").asText();
    switch (kind) {
      case "call" -> {
        try (Connection connection = connect()) {
          call(connection, c);
        }
      }
      case "oneway" -> {
        try (Connection connection = connect()) {
          call(connection, c);
          call(connection, c.get("then"));
        }
      }
      case "sequence" -> {
        try (Connection connection = connect()) {
          for (JsonNode step : c.get("calls")) call(connection, step);
        }
      }
      case "unknown-method" -> unknownMethod(c);
      case "seqid-echo" -> seqidEcho(c);
      case "mismatched-protocol" -> mismatchedProtocol(c);
      case "raw" -> raw(c);
      default -> throw new Mismatch("case kind " + kind + " is not implemented by the Java peer");
    }
  }

  private Connection connect() throws TTransportException {
    return Connection.open(options, null, TIMEOUT_MILLIS);
  }

  // ---- one call and its expectation ---------------------------------------------------------------

  /** What the generated code tells about one method of a service. */
  private record Signature(Class<?> service, String method, Map<String, FieldMetaData> arguments,
                           FieldValueMetaData returns, boolean oneway) {}

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Signature signature(String service, String method) throws Mismatch {
    Class<?> serviceClass = switch (service) {
      case Protocols.CONFORMANCE -> Conformance.class;
      case Protocols.SECONDARY -> Secondary.class;
      default -> throw new Mismatch("unknown service " + service);
    };
    Class<? extends TBase> args = nested(serviceClass, method + "_args");
    if (args == null) throw new Mismatch(service + " has no method " + method);
    Map<String, FieldMetaData> arguments = new HashMap<>();
    Map<? extends TFieldIdEnum, FieldMetaData> argumentFields = FieldMetaData.getStructMetaDataMap(args);
    argumentFields.values().forEach(meta -> arguments.put(meta.fieldName, meta));
    // The compiler writes no _result struct for a oneway method, and no success field for void.
    Class<? extends TBase> result = nested(serviceClass, method + "_result");
    FieldValueMetaData returns = null;
    if (result != null) {
      Map<? extends TFieldIdEnum, FieldMetaData> resultFields = FieldMetaData.getStructMetaDataMap(result);
      for (FieldMetaData meta : resultFields.values()) {
        if (meta.fieldName.equals("success")) returns = meta.valueMetaData;
      }
    }
    return new Signature(serviceClass, method, arguments, returns, result == null);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Class<? extends TBase> nested(Class<?> outer, String name) {
    try {
      return (Class<? extends TBase>) Class.forName(outer.getName() + "$" + name);
    } catch (ClassNotFoundException e) {
      return null;
    }
  }

  /** The Java arguments of a generated client method, from the case's named arguments. */
  private static Object[] arguments(Method method, Signature signature, JsonNode args) throws Mismatch {
    Parameter[] parameters = method.getParameters();
    Object[] values = new Object[parameters.length];
    for (int i = 0; i < parameters.length; i++) {
      String name = parameters[i].getName(); // kept by javac -parameters (pom.xml)
      FieldMetaData meta = signature.arguments().get(name);
      if (meta == null) throw new IllegalStateException("no argument metadata for " + name);
      JsonNode value = args == null ? null : args.get(name);
      values[i] = Values.toJava(meta.valueMetaData, value);
      if (values[i] == null && parameters[i].getType().isPrimitive()) {
        throw new Mismatch("the case gives no value for the " + parameters[i].getType() + " argument " + name);
      }
    }
    return values;
  }

  private static Method clientMethod(Class<?> client, String name) throws Mismatch {
    for (Method m : client.getDeclaredMethods()) {
      if (m.getName().equals(name) && Modifier.isPublic(m.getModifiers())) return m;
    }
    throw new Mismatch(client.getName() + " has no method " + name);
  }

  /** Makes one call as the case says and checks its outcome. */
  private void call(Connection connection, JsonNode spec) throws Exception {
    String service = spec.path("service").asText(Protocols.CONFORMANCE);
    Signature signature = signature(service, spec.get("method").asText());
    TServiceClient client = connection.client(service);
    Method method = clientMethod(client.getClass(), signature.method());
    Object[] values = arguments(method, signature, spec.get("args"));
    Object result;
    try {
      result = method.invoke(client, values);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TApplicationException error) {
        check(spec, signature, "applicationError", applicationError(error));
        return;
      }
      if (cause instanceof TBase<?, ?> declared) { // a declared exception: generated structs
        ObjectNode actual = JSON.objectNode();
        actual.put("type", declared.getClass().getSimpleName());
        actual.set("value", Values.canonical(new StructMetaData(TType.STRUCT, declared.getClass()), declared));
        check(spec, signature, "exception", actual);
        return;
      }
      throw cause instanceof Exception ex ? ex : e;
    }
    if (signature.oneway()) return;
    check(spec, signature, "response",
        signature.returns() == null ? JSON.nullNode() : Values.canonical(signature.returns(), result));
  }

  private static ObjectNode applicationError(TApplicationException error) {
    ObjectNode out = JSON.objectNode();
    out.put("type", APPLICATION_ERRORS.getOrDefault(error.getType(), String.valueOf(error.getType())));
    out.put("message", error.getMessage());
    return out;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void check(JsonNode spec, Signature signature, String got, JsonNode actual) throws Mismatch {
    JsonNode expect = spec.path("expect");
    String want = expect.fieldNames().hasNext() ? expect.fieldNames().next() : "(nothing)";
    if (!want.equals(got)) {
      throw new Mismatch("expected " + want + ", got " + got, expect, JSON.objectNode().set(got, actual));
    }
    switch (got) {
      case "response" -> {
        JsonNode expected = signature.returns() == null
            ? JSON.nullNode()
            : Values.canonical(signature.returns(), Values.toJava(signature.returns(), expect.get("response")));
        if (!expected.equals(actual)) throw new Mismatch("response differs", expected, actual);
      }
      case "exception" -> {
        String type = expect.get("exception").get("type").asText();
        Class<? extends TBase> cls;
        try {
          cls = (Class<? extends TBase>) Class.forName(GENERATED_PACKAGE + type);
        } catch (ClassNotFoundException e) {
          throw new Mismatch("the IDL has no exception " + type);
        }
        StructMetaData meta = new StructMetaData(TType.STRUCT, cls);
        ObjectNode expected = JSON.objectNode();
        expected.put("type", type);
        expected.set("value", Values.canonical(meta, Values.toJava(meta, expect.get("exception").get("value"))));
        if (!expected.equals(actual)) throw new Mismatch("exception differs", expected, actual);
      }
      default -> {
        JsonNode expected = expect.get("applicationError");
        if (!expected.get("type").equals(actual.get("type"))) {
          throw new Mismatch("TApplicationException type differs", expected, actual);
        }
      }
    }
  }

  // ---- the procedures that write messages by hand -------------------------------------------------

  /** Writes a CALL of {@code name} with an empty argument struct, as a generated client would. */
  private static void writeEmptyCall(Connection connection, String name, int seqid) throws Exception {
    TProtocol out = connection.requests(Protocols.CONFORMANCE);
    out.writeMessageBegin(new TMessage(name, TMessageType.CALL, seqid));
    out.writeStructBegin(new TStruct("args"));
    out.writeFieldStop();
    out.writeStructEnd();
    out.writeMessageEnd();
    out.getTransport().flush();
  }

  private void unknownMethod(JsonNode c) throws Exception {
    try (Connection connection = connect()) {
      writeEmptyCall(connection, c.get("method").asText(), 1);
      TMessage reply = connection.in.readMessageBegin();
      if (reply.type != TMessageType.EXCEPTION) {
        throw new Mismatch("the server did not answer with an exception", JSON.textNode("EXCEPTION"),
            JSON.numberNode(reply.type));
      }
      ObjectNode actual = applicationError(TApplicationException.readFrom(connection.in));
      connection.in.readMessageEnd();
      JsonNode expected = c.get("expect").get("applicationError");
      if (!expected.get("type").equals(actual.get("type"))) {
        throw new Mismatch("TApplicationException type differs", expected, actual);
      }
      call(connection, c.get("then"));
    }
  }

  private void seqidEcho(JsonNode c) throws Exception {
    try (Connection connection = connect()) {
      for (JsonNode id : c.get("seqids")) {
        int seqid = id.intValue();
        writeEmptyCall(connection, "ping", seqid);
        TMessage reply = connection.in.readMessageBegin();
        TProtocolUtil.skip(connection.in, TType.STRUCT);
        connection.in.readMessageEnd();
        if (reply.type != TMessageType.REPLY || reply.seqid != seqid) {
          throw new Mismatch("reply sequence id differs",
              JSON.objectNode().put("mtype", (int) TMessageType.REPLY).put("seqid", seqid),
              JSON.objectNode().put("mtype", (int) reply.type).put("seqid", reply.seqid));
        }
      }
    }
  }

  private void mismatchedProtocol(JsonNode c) throws Exception {
    int seconds = c.get("withinSeconds").intValue();
    Signature signature = signature(Protocols.CONFORMANCE, c.get("method").asText());
    try (Connection connection = Connection.open(options, c.get("writes").asText(), seconds * 1000)) {
      TServiceClient client = connection.client(Protocols.CONFORMANCE);
      Method method = clientMethod(client.getClass(), signature.method());
      Object result;
      try {
        result = method.invoke(client, arguments(method, signature, c.get("args")));
      } catch (InvocationTargetException e) {
        if (timedOut(e.getCause())) {
          throw new Mismatch("no error within " + seconds + " s: the exchange hung", JSON.textNode("a clear error"),
              JSON.textNode(e.getCause().toString()));
        }
        System.err.println("mismatched-protocol: got the expected error " + e.getCause());
        pingFresh();
        return;
      }
      throw new Mismatch("the server answered a request in the wrong protocol", JSON.textNode("a clear error"),
          JSON.textNode(String.valueOf(result)));
    }
  }

  private static boolean timedOut(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) return true;
      if (t instanceof TTransportException te && te.getType() == TTransportException.TIMED_OUT) return true;
    }
    return false;
  }

  /** The server must still answer a correct call on a new connection. */
  private void pingFresh() throws Mismatch {
    try (Connection connection = Connection.open(options, null, 10_000)) {
      ((Conformance.Client) connection.client(Protocols.CONFORMANCE)).ping();
    } catch (Exception e) {
      throw new Mismatch("the server no longer answers a correct ping on a new connection: " + e);
    }
  }

  private byte[] rawPayload(JsonNode send) throws Exception {
    JsonNode cut = send.get("truncatedCall");
    if (cut == null) return Values.bytes(send);
    // The call exactly as the generated client writes it in the cell's request protocol.
    TMemoryBuffer memory = new TMemoryBuffer(1024);
    Protocols.Pair protocols = Protocols.of(options.protocol());
    TProtocol out = protocols.request().getProtocol(memory);
    if (protocols.multiplexed()) out = new TMultiplexedProtocol(out, Protocols.CONFORMANCE);
    Signature signature = signature(Protocols.CONFORMANCE, cut.get("method").asText());
    Conformance.Client client = new Conformance.Client(out, out);
    Method send_ = clientMethod(Conformance.Client.class, "send_" + signature.method());
    send_.invoke(client, arguments(send_, signature, cut.get("args")));
    byte[] whole = Arrays.copyOf(memory.getArray(), memory.length());
    return Arrays.copyOf(whole, Math.min(whole.length, cut.get("keepBytes").intValue()));
  }

  private void raw(JsonNode c) throws Exception {
    if (options.transport().equals("http")) throw new Mismatch("raw cases need a socket transport, not http");
    byte[] payload = rawPayload(c.get("send"));
    if (options.transport().equals("framed")) {
      int length = c.has("frameLength") ? c.get("frameLength").intValue() : payload.length;
      payload = ByteBuffer.allocate(4 + payload.length).putInt(length).put(payload).array();
    }
    int seconds = c.get("withinSeconds").intValue();
    StringBuilder received = new StringBuilder();
    int count = 0;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(options.host(), options.port()), seconds * 1000);
      socket.setSoTimeout(seconds * 1000);
      OutputStream out = socket.getOutputStream();
      out.write(payload);
      out.flush();
      if (c.path("halfClose").asBoolean(false)) socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[65536];
      try {
        for (int n; (n = in.read(buffer)) >= 0; count += n) {
          if (received.length() < 128) received.append(HexFormat.of().formatHex(buffer, 0, Math.min(n, 64)));
        }
      } catch (SocketTimeoutException e) {
        throw new Mismatch("the server kept the connection open for " + seconds + " s after bad input",
            JSON.textNode("connection closed"), JSON.objectNode().put("received", received.toString()));
      } catch (SocketException e) {
        // A reset is a close too (the server closed with our unread bytes still queued).
        System.err.println("raw: connection reset: " + e.getMessage());
      }
    }
    System.err.println("raw: connection closed by the server after " + count + " byte(s): " + received);
    pingFresh();
  }

  // ---- TAP ------------------------------------------------------------------------------------------

  private static String yaml(Throwable error) {
    StringBuilder out = new StringBuilder("  ---\n");
    out.append("  message: ").append(JSON.textNode(String.valueOf(error.getMessage() == null ? error : error.getMessage()))).append('\n');
    if (error instanceof Mismatch m) {
      out.append("  expected: ").append(shorten(m.expected)).append('\n');
      out.append("  actual: ").append(shorten(m.actual)).append('\n');
    } else {
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      String text = trace.toString();
      out.append("  trace: ").append(JSON.textNode(text.length() > 2000 ? text.substring(0, 2000) : text)).append('\n');
    }
    return out.append("  ...").toString();
  }

  /** JSON is YAML; a value too long for a TAP line (the 1 MiB cases) is cut, and then quoted. */
  private static String shorten(JsonNode value) {
    String text = String.valueOf(value);
    return text.length() <= 4000 ? text : JSON.textNode(text.substring(0, 4000) + "... (" + text.length() + " chars)").toString();
  }

  private static Map<Integer, String> applicationErrorNames() {
    Map<Integer, String> names = new HashMap<>();
    for (Field f : TApplicationException.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
        try {
          names.put(f.getInt(null), f.getName());
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return names;
  }
}
