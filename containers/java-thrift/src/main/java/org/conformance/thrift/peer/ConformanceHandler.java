package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.apache.thrift.TApplicationException;

/**
 * The server semantics of suites/thrift/data/README.md. One instance per listener: {@code lastNote}
 * is shared by the listener's connections and by nothing else.
 */
final class ConformanceHandler implements Handler {
  /** evolvedAnswer's fixed EvolvingV2 fields, in the value notation (README.md, "Server semantics"). */
  private static final String EVOLVED_ANSWER = """
      {"flag": true, "tiny": -128, "small": 32767, "medium": -2147483648, "large": "9223372036854775807",
       "real": 0.25, "text": "v2 \\u2713", "blob": {"$hex": "00ff80"}, "tag": "00112233-4455-6677-8899-aabbccddeeff",
       "color": "ULTRAVIOLET", "point": {"x": -1, "y": 1}, "choice": {"words": ["a", "b"]},
       "tags": ["ffffffff-ffff-ffff-ffff-ffffffffffff"], "names": ["x"], "byId": [["-1", {"x": 0, "y": 0}]],
       "nested": [[], [1, 2]], "nothing": {},
       "blobsByTag": [["01234567-89ab-cdef-0123-456789abcdef", [{"$hex": ""}, {"$hex": "ff"}]]]}
      """;

  private final Idl idl;
  private final Notation notation;
  private volatile String lastNote = "";

  ConformanceHandler(Idl idl) {
    this.idl = idl;
    this.notation = new Notation(idl);
  }

  @Override
  public Object call(Idl.Function function, Map<String, Object> a) throws Exception {
    String name = function.name();
    switch (name) {
      case "ping":
        return null;
      case "gather": {
        StructValue scalars = new StructValue(idl.struct("Scalars"));
        for (String field : List.of("flag", "tiny", "small", "medium", "large", "real", "text", "blob", "color")) {
          scalars.set(field, a.get(field));
        }
        return scalars;
      }
      case "add":
        // Java long arithmetic wraps around; an absent argument is 0, as in generated Java.
        return orZero(a.get("a")) + orZero(a.get("b"));
      case "fail": {
        String kind = (String) a.get("kind");
        if ("conformance".equals(kind)) {
          throw new Raised(new StructValue(idl.struct("ConformanceError"))
              .set("code", a.getOrDefault("code", 0)).set("reason", a.get("reason")));
        }
        if ("other".equals(kind)) {
          throw new Raised(new StructValue(idl.struct("OtherError"))
              .set("detail", a.get("reason")).set("trail", List.of(a.getOrDefault("code", 0))));
        }
        return null;
      }
      case "failUndeclared":
        throw new IllegalStateException("undeclared failure: " + a.get("reason"));
      case "notify":
        lastNote = a.get("note") == null ? "" : (String) a.get("note");
        return null;
      case "lastNote":
        return lastNote;
      case "echoEvolving": {
        StructValue value = (StructValue) a.get("value");
        return new StructValue(idl.struct("Evolving")).set("id", value == null ? null : value.get("id"));
      }
      case "evolvedAnswer":
        return evolvedAnswer(a.get("id"));
      case "failApplication":
        throw new TApplicationException(a.get("type") == null ? 0 : (Integer) a.get("type"), (String) a.get("message"));
      case "failOneway":
        throw new IllegalStateException("undeclared failure in a one-way call: " + a.get("reason"));
      default:
        if (name.startsWith("echo")) return a.get("value"); // every other echo* answers its argument
        throw new UnsupportedOperationException("Conformance has no handler for " + name);
    }
  }

  private static long orZero(Object v) {
    return v == null ? 0L : (Long) v;
  }

  /** An EvolvingV2 with the fixed values and {@code id}, written where Evolving is declared. */
  private StructValue evolvedAnswer(Object id) {
    ObjectNode fixed;
    try {
      fixed = (ObjectNode) new ObjectMapper().readTree(EVOLVED_ANSWER);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    return notation.struct(idl.struct("EvolvingV2"), fixed).set("id", id);
  }
}
