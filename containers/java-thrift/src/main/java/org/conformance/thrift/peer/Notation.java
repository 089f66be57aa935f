package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The value notation of suites/thrift/data/README.md: case JSON to values of an IDL type, and
 * values back to a canonical JSON form that is compared and reported (sets and maps sorted, i64
 * beyond +-2^53 and special doubles as strings, binary as hex, enums by name, uuids as text).
 */
final class Notation {
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final HexFormat HEX = HexFormat.of();
  private static final long SAFE_INTEGER = 1L << 53;
  private static final Pattern CANONICAL_UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private final Idl idl;

  Notation(Idl idl) {
    this.idl = idl;
  }

  // ---- notation -> value ------------------------------------------------------------------------

  Object value(Idl.Type type, JsonNode v) {
    if (v == null || v.isNull()) return null;
    switch (type.kind()) {
      case BOOL:
        if (!v.isBoolean()) throw bad(type, v);
        return v.booleanValue();
      case I8:
        return (byte) integer(v, Byte.MIN_VALUE, Byte.MAX_VALUE);
      case I16:
        return (short) integer(v, Short.MIN_VALUE, Short.MAX_VALUE);
      case I32:
        return (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case I64:
        return integer(v, Long.MIN_VALUE, Long.MAX_VALUE);
      case DOUBLE:
        return toDouble(v);
      case STRING:
        return text(v);
      case BINARY:
        return ByteBuffer.wrap(bytes(v));
      case UUID:
        if (!v.isTextual() || !CANONICAL_UUID.matcher(v.textValue()).matches()) throw bad(type, v);
        return UUID.fromString(v.textValue());
      case ENUM: {
        Integer n = v.isTextual() ? idl.enumDef(type.name()).byName().get(v.textValue()) : null;
        if (n == null) throw new IllegalArgumentException(v + " is not a symbol of enum " + type.name());
        return n;
      }
      case STRUCT:
        return struct(idl.struct(type.name()), v);
      case LIST: {
        List<Object> list = new ArrayList<>();
        for (JsonNode x : array(v)) list.add(value(type.element(), x));
        return list;
      }
      case SET: {
        Set<Object> set = new LinkedHashSet<>();
        for (JsonNode x : array(v)) set.add(value(type.element(), x));
        return set;
      }
      case MAP: {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (JsonNode pair : array(v)) {
          if (!pair.isArray() || pair.size() != 2) throw new IllegalArgumentException("a map entry is [key, value]: " + pair);
          map.put(value(type.key(), pair.get(0)), value(type.value(), pair.get(1)));
        }
        return map;
      }
      default:
        throw new IllegalArgumentException("no value notation for type " + type);
    }
  }

  /**
   * A struct, union or exception: the object's fields are exactly the fields set. {"$as": "Other",
   * "value": {...}} is a value of struct Other, written in place of the declared one.
   */
  StructValue struct(Idl.Struct declared, JsonNode v) {
    if (!v.isObject()) throw new IllegalArgumentException(declared.name() + " needs a JSON object: " + v);
    Idl.Struct definition = declared;
    if (v.has("$as")) {
      definition = idl.struct(v.get("$as").asText());
      v = v.get("value");
      if (v == null || !v.isObject()) throw new IllegalArgumentException("$as needs an object \"value\"");
    }
    StructValue out = new StructValue(definition);
    for (var it = v.fields(); it.hasNext(); ) {
      var e = it.next();
      Idl.Field f = definition.byName().get(e.getKey());
      if (f == null) throw new IllegalArgumentException(definition.name() + " has no field " + e.getKey());
      out.fields().put(f.id(), value(f.type(), e.getValue()));
    }
    if (definition.shape() == Idl.Shape.UNION && out.fields().size() != 1) {
      throw new IllegalArgumentException("a union value has exactly one field: " + v);
    }
    return out;
  }

  private static long integer(JsonNode v, long min, long max) {
    long value;
    if (v.isTextual()) {
      value = Long.parseLong(v.textValue());
    } else if (v.isIntegralNumber() && v.canConvertToLong()) {
      value = v.longValue();
    } else if (v.isFloatingPointNumber() && v.doubleValue() == Math.rint(v.doubleValue())) {
      value = (long) v.doubleValue(); // 0.0 and the like: JSON has one number type
    } else {
      throw new IllegalArgumentException("not an integer: " + v);
    }
    if (value < min || value > max) throw new IllegalArgumentException(v + " is out of range");
    return value;
  }

  private static double toDouble(JsonNode v) {
    if (v.isTextual()) {
      return switch (v.textValue()) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        case "-0.0" -> -0.0;
        default -> throw new IllegalArgumentException("not a double: " + v);
      };
    }
    if (!v.isNumber()) throw new IllegalArgumentException("not a double: " + v);
    return v.doubleValue();
  }

  static String text(JsonNode v) {
    if (v.isTextual()) return v.textValue();
    JsonNode t = v.get("$text");
    if (t == null) throw new IllegalArgumentException("not a string: " + v);
    String prefix = t.has("prefix") ? t.get("prefix").textValue() : "";
    return prefix + t.get("repeat").textValue().repeat(t.get("count").intValue());
  }

  static byte[] bytes(JsonNode v) {
    if (v.has("$hex")) return HEX.parseHex(v.get("$hex").textValue());
    if (v.has("$range")) {
      int from = v.get("$range").get(0).intValue();
      int to = v.get("$range").get(1).intValue();
      byte[] out = new byte[to - from + 1];
      for (int i = from; i <= to; i++) out[i - from] = (byte) i;
      return out;
    }
    if (v.has("$repeat")) {
      byte[] unit = HEX.parseHex(v.get("$repeat").get("hex").textValue());
      int count = v.get("$repeat").get("count").intValue();
      byte[] out = new byte[unit.length * count];
      for (int i = 0; i < count; i++) System.arraycopy(unit, 0, out, i * unit.length, unit.length);
      return out;
    }
    throw new IllegalArgumentException("not binary notation: " + v);
  }

  private static Iterable<JsonNode> array(JsonNode v) {
    if (!v.isArray()) throw new IllegalArgumentException("expected a JSON array: " + v);
    return v;
  }

  private static IllegalArgumentException bad(Idl.Type type, JsonNode v) {
    return new IllegalArgumentException("not a value of type " + type + ": " + v);
  }

  // ---- value -> canonical JSON ------------------------------------------------------------------

  JsonNode canonical(Idl.Type type, Object v) {
    if (v == null) return JSON.nullNode();
    switch (type.kind()) {
      case BOOL:
        return JSON.booleanNode((Boolean) v);
      case I8:
      case I16:
      case I32:
        return JSON.numberNode(((Number) v).intValue());
      case I64: {
        long n = (Long) v;
        return n > SAFE_INTEGER || n < -SAFE_INTEGER ? JSON.textNode(Long.toString(n)) : JSON.numberNode(n);
      }
      case DOUBLE: {
        double d = (Double) v;
        if (Double.isNaN(d)) return JSON.textNode("NaN");
        if (Double.isInfinite(d)) return JSON.textNode(d > 0 ? "Infinity" : "-Infinity");
        if (d == 0 && Double.doubleToRawLongBits(d) != 0) return JSON.textNode("-0.0");
        return JSON.numberNode(d);
      }
      case STRING:
        return JSON.textNode((String) v);
      case BINARY: {
        ByteBuffer b = ((ByteBuffer) v).duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return JSON.objectNode().put("$hex", HEX.formatHex(bytes));
      }
      case UUID:
        return JSON.textNode(v.toString());
      case ENUM: {
        String name = idl.enumDef(type.name()).byValue().get((Integer) v);
        return name != null ? JSON.textNode(name) : JSON.numberNode((Integer) v);
      }
      case STRUCT: {
        StructValue s = (StructValue) v;
        ObjectNode out = JSON.objectNode();
        for (Idl.Field f : s.definition().fields()) {
          Object x = s.fields().get(f.id());
          if (x != null) out.set(f.name(), canonical(f.type(), x));
        }
        return out;
      }
      case LIST: {
        ArrayNode out = JSON.arrayNode();
        for (Object x : (List<?>) v) out.add(canonical(type.element(), x));
        return out;
      }
      case SET: {
        List<JsonNode> items = new ArrayList<>();
        for (Object x : (Set<?>) v) items.add(canonical(type.element(), x));
        items.sort(Comparator.comparing(JsonNode::toString));
        return JSON.arrayNode().addAll(items);
      }
      case MAP: {
        List<ArrayNode> pairs = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          pairs.add(JSON.arrayNode().add(canonical(type.key(), e.getKey())).add(canonical(type.value(), e.getValue())));
        }
        pairs.sort(Comparator.comparing(pair -> pair.get(0).toString()));
        return JSON.arrayNode().addAll(pairs);
      }
      default:
        throw new IllegalArgumentException("no notation for type " + type);
    }
  }
}
