package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import org.apache.avro.AvroRemoteException;
import org.apache.avro.Protocol;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/** How a call's outcome is judged against a case's expect block (suites/avro/data/README.md). */
final class Checks {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Checks() {}

  static Protocol.Message message(Protocol protocol, String name) throws Failure {
    Protocol.Message message = protocol.getMessages().get(name);
    if (message == null) throw new Failure("protocol " + protocol.getName() + " has no message \"" + name + "\"");
    return message;
  }

  /** The request of a call step, read against the message's parameters in the client's protocol. */
  static GenericRecord request(Protocol.Message message, JsonNode requestNode) {
    return (GenericRecord) Notation.read(message.getRequest(), requestNode);
  }

  static void verify(Protocol protocol, Protocol.Message message, JsonNode expect, Connection.Outcome outcome) throws Failure {
    String name = message.getName();
    if (outcome.declared() != null) {
      checkDeclaredError(protocol, name, expect, outcome.declared());
      return;
    }
    if (outcome.error() != null) {
      checkSystemError(name, expect, outcome.error());
      return;
    }
    Object response = outcome.response();
    if (!expect.has("response")) {
      throw new Failure(name + ": expected " + (expect.has("error") ? "a declared error" : "a system error") + ", got an answer",
          expect, Notation.render(message.getResponse(), response));
    }
    Object expected = Notation.read(message.getResponse(), expect.get("response"));
    String difference = Notation.difference(message.getResponse(), expected, response);
    if (difference != null)
      throw new Failure(name + ": " + difference, Notation.render(message.getResponse(), expected), Notation.render(message.getResponse(), response));
  }

  private static void checkDeclaredError(Protocol protocol, String name, JsonNode expect, AvroRemoteException remote) throws Failure {
    Object value = remote.getValue();
    JsonNode actual = describeRemote(value);
    JsonNode error = expect.get("error");
    if (error == null) throw new Failure(name + ": the server raised a declared error", expect, actual);
    String type = error.path("type").asText();
    Schema schema = protocol.getType(type);
    if (schema == null) throw new Failure(name + ": the client's protocol declares no error type " + type, expect, actual);
    if (!(value instanceof GenericRecord record) || !record.getSchema().getFullName().equals(type))
      throw new Failure(name + ": expected error type " + type, expect, actual);
    Object expected = Notation.read(schema, error.path("value"));
    String difference = Notation.difference(schema, expected, value);
    if (difference != null) throw new Failure(name + ": error " + difference, expect, actual);
  }

  private static JsonNode describeRemote(Object value) {
    if (value instanceof GenericRecord record) {
      ObjectNode node = JSON.objectNode().put("type", record.getSchema().getFullName());
      node.set("value", Notation.render(record.getSchema(), record));
      return node;
    }
    return JSON.objectNode().put("declaredErrorValue", String.valueOf(value));
  }

  private static void checkSystemError(String name, JsonNode expect, Connection.CallError error) throws Failure {
    JsonNode actual = JSON.objectNode().put(error.clientSide ? "callFailed" : "systemError", error.getMessage());
    JsonNode substring = expect.get("systemError");
    if (substring == null) {
      String wanted = expect.has("error") ? "declared error " + expect.path("error").path("type").asText() : "a response";
      throw new Failure(name + ": expected " + wanted + ", got " + (error.clientSide ? "a failed call: " : "a system error: ") + error.getMessage(),
          expect, actual);
    }
    if (error.clientSide)
      throw new Failure(name + ": expected a system error from the server, the call itself failed: " + error.getMessage(), expect, actual);
    if (!error.getMessage().contains(substring.asText()))
      throw new Failure(name + ": the system error does not contain " + substring, expect, actual);
  }

  /** A one-way call must neither fail nor answer a value. */
  static void verifyOneWay(Protocol.Message message, Connection.Outcome outcome) throws Failure {
    if (!message.isOneWay()) throw new Failure("message " + message.getName() + " is not one-way in the client's protocol");
    if (outcome.declared() != null || outcome.error() != null)
      throw new Failure("one-way " + message.getName() + " failed: "
          + (outcome.declared() != null ? outcome.declared().getMessage() : outcome.error().getMessage()));
    if (outcome.response() != null)
      throw new Failure("one-way " + message.getName() + " answered a value", JSON.nullNode(), JSON.textNode(String.valueOf(outcome.response())));
  }

  /** A template call with "{call}" and "{client}" replaced in every string value (README, "Templates"). */
  static JsonNode fill(JsonNode template, Map<String, String> replacements) {
    if (template.isTextual()) {
      String text = template.textValue();
      for (Map.Entry<String, String> r : replacements.entrySet()) text = text.replace(r.getKey(), r.getValue());
      return JSON.textNode(text);
    }
    if (template.isArray()) {
      var array = JSON.arrayNode();
      template.forEach(item -> array.add(fill(item, replacements)));
      return array;
    }
    if (template.isObject()) {
      ObjectNode object = JSON.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = template.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        object.set(field.getKey(), fill(field.getValue(), replacements));
      }
      return object;
    }
    return template;
  }
}
