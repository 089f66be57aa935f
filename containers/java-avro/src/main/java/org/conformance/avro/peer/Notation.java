package org.conformance.avro.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * The value notation of suites/avro/data/README.md, read against a schema into the plain
 * representation GenericData uses without logical-type conversions (the representation that
 * GenericDatumReader hands back): Integer, Long, Float, Double, ByteBuffer (bytes and decimal),
 * GenericData.Fixed, CharSequence, GenericData.EnumSymbol, List, Map, GenericData.Record.
 * Logical types therefore stay in their underlying form on both sides of every comparison.
 *
 * Also renders such values back into the notation (for TAP diagnostics) and compares them with
 * the suite's equality rules.
 */
final class Notation {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** Diagnostics stay readable: longer bytes and strings are abbreviated when rendered. */
  private static final int RENDER_LIMIT = 96;

  private Notation() {}

  /** Thrown when a case value does not fit its schema: a broken case, reported as such. */
  static final class NotationException extends RuntimeException {
    NotationException(String path, String problem) {
      super((path.isEmpty() ? "value" : path) + ": " + problem);
    }
  }

  // ---------------------------------------------------------------- notation -> Avro value

  static Object read(Schema schema, JsonNode node) {
    return read(schema, node, "");
  }

  private static Object read(Schema schema, JsonNode node, String path) {
    if (node == null || node.isMissingNode()) throw new NotationException(path, "missing");
    switch (schema.getType()) {
      case NULL:
        if (!node.isNull()) throw new NotationException(path, "expected null, got " + node);
        return null;
      case BOOLEAN:
        if (!node.isBoolean()) throw new NotationException(path, "expected a boolean, got " + node);
        return node.booleanValue();
      case INT:
        if (!node.isIntegralNumber() || !node.canConvertToInt())
          throw new NotationException(path, "expected a 32-bit integer, got " + node);
        return node.intValue();
      case LONG:
        return readLong(node, path);
      case FLOAT: {
        Double d = readDouble(node, path);
        return d.floatValue(); // "floats compare after rounding to 32 bits"
      }
      case DOUBLE:
        return readDouble(node, path);
      case BYTES:
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal && node.has("$decimal"))
          return ByteBuffer.wrap(readDecimal(schema, node, path));
        return ByteBuffer.wrap(readBytes(node, path));
      case FIXED: {
        byte[] bytes = schema.getLogicalType() instanceof LogicalTypes.Decimal && node.has("$decimal")
            ? signExtend(readDecimal(schema, node, path), schema.getFixedSize(), path)
            : readBytes(node, path);
        if (bytes.length != schema.getFixedSize())
          throw new NotationException(path, "fixed " + schema.getFullName() + " has size " + schema.getFixedSize()
              + ", the value has " + bytes.length + " bytes");
        return new GenericData.Fixed(schema, bytes);
      }
      case STRING:
        return readString(node, path);
      case ENUM: {
        if (!node.isTextual() || !schema.hasEnumSymbol(node.textValue()))
          throw new NotationException(path, "expected a symbol of " + schema.getFullName() + ", got " + node);
        return new GenericData.EnumSymbol(schema, node.textValue());
      }
      case ARRAY: {
        if (!node.isArray()) throw new NotationException(path, "expected an array, got " + node);
        GenericData.Array<Object> array = new GenericData.Array<>(node.size(), schema);
        for (int i = 0; i < node.size(); i++) array.add(read(schema.getElementType(), node.get(i), path + "[" + i + "]"));
        return array;
      }
      case MAP: {
        if (!node.isObject()) throw new NotationException(path, "expected an object, got " + node);
        Map<String, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          map.put(entry.getKey(), read(schema.getValueType(), entry.getValue(), path + "[" + quote(entry.getKey()) + "]"));
        }
        return map;
      }
      case UNION:
        return readUnion(schema, node, path);
      case RECORD:
        return readRecord(schema, node, path);
      default:
        throw new NotationException(path, "unsupported schema type " + schema.getType());
    }
  }

  private static Object readUnion(Schema union, JsonNode node, String path) {
    if (node.isNull()) {
      if (union.getIndexNamed("null") == null) throw new NotationException(path, "null is not a branch of " + union);
      return null;
    }
    if (!node.isObject() || node.size() != 1)
      throw new NotationException(path, "a union value is null or {\"<branch>\": value}, got " + node);
    String branch = node.fieldNames().next();
    for (Schema type : union.getTypes()) {
      if (type.getFullName().equals(branch)) return read(type, node.get(branch), path + "<" + branch + ">");
    }
    throw new NotationException(path, "\"" + branch + "\" is not a branch of " + union);
  }

  private static GenericData.Record readRecord(Schema schema, JsonNode node, String path) {
    if (!node.isObject()) throw new NotationException(path, "expected an object for " + schema.getFullName() + ", got " + node);
    GenericData.Record record = new GenericData.Record(schema);
    Set<String> unknown = new TreeSet<>();
    node.fieldNames().forEachRemaining(unknown::add);
    for (Schema.Field field : schema.getFields()) {
      unknown.remove(field.name());
      JsonNode value = node.get(field.name());
      if (value != null) {
        record.put(field.pos(), read(field.schema(), value, path + "." + field.name()));
      } else if (field.hasDefaultValue()) {
        record.put(field.pos(), GenericData.get().getDefaultValue(field));
      } else {
        throw new NotationException(path + "." + field.name(), "missing, and the field has no default");
      }
    }
    if (!unknown.isEmpty()) throw new NotationException(path, "fields not in " + schema.getFullName() + ": " + unknown);
    return record;
  }

  private static long readLong(JsonNode node, String path) {
    if (node.isIntegralNumber() && node.canConvertToLong()) return node.longValue();
    if (node.isTextual() && node.textValue().matches("-?[0-9]+")) {
      try {
        return Long.parseLong(node.textValue());
      } catch (NumberFormatException e) {
        throw new NotationException(path, "beyond 64 bits: " + node);
      }
    }
    throw new NotationException(path, "expected a 64-bit integer (number or decimal string), got " + node);
  }

  private static Double readDouble(JsonNode node, String path) {
    if (node.isNumber()) return node.doubleValue();
    if (node.isTextual()) {
      switch (node.textValue()) {
        case "NaN": return Double.NaN;
        case "Infinity": return Double.POSITIVE_INFINITY;
        case "-Infinity": return Double.NEGATIVE_INFINITY;
        case "-0.0": return -0.0d;
        default: break;
      }
    }
    throw new NotationException(path, "expected a number, \"NaN\", \"Infinity\", \"-Infinity\" or \"-0.0\", got " + node);
  }

  private static String readString(JsonNode node, String path) {
    if (node.isTextual()) return node.textValue();
    JsonNode text = node.get("$text");
    if (node.isObject() && node.size() == 1 && text != null && text.isObject()) {
      JsonNode prefix = text.get("prefix");
      JsonNode repeat = text.get("repeat");
      JsonNode count = text.get("count");
      if (repeat == null || !repeat.isTextual() || count == null || !count.canConvertToInt() || count.intValue() < 0)
        throw new NotationException(path, "$text needs \"repeat\" (string) and \"count\" (non-negative int): " + node);
      return (prefix == null ? "" : prefix.asText()) + repeat.textValue().repeat(count.intValue());
    }
    throw new NotationException(path, "expected a string or {\"$text\": ...}, got " + abbreviate(node.toString()));
  }

  private static byte[] readBytes(JsonNode node, String path) {
    if (node.isObject() && node.size() == 1) {
      if (node.has("$hex") && node.get("$hex").isTextual()) return hexToBytes(node.get("$hex").textValue(), path);
      JsonNode range = node.get("$range");
      if (range != null && range.isArray() && range.size() == 2) {
        int from = range.get(0).asInt(), to = range.get(1).asInt();
        if (from < 0 || to > 255 || from > to) throw new NotationException(path, "bad $range " + range);
        byte[] bytes = new byte[to - from + 1];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (from + i);
        return bytes;
      }
      JsonNode repeat = node.get("$repeat");
      if (repeat != null && repeat.isObject() && repeat.path("hex").isTextual() && repeat.path("count").canConvertToInt()) {
        byte[] unit = hexToBytes(repeat.get("hex").textValue(), path);
        int count = repeat.get("count").intValue();
        ByteArrayOutputStream out = new ByteArrayOutputStream(unit.length * Math.max(count, 0));
        for (int i = 0; i < count; i++) out.write(unit, 0, unit.length);
        return out.toByteArray();
      }
    }
    throw new NotationException(path, "expected {\"$hex\"}, {\"$range\"} or {\"$repeat\"}, got " + node);
  }

  /** The unscaled value of a $decimal, as Avro writes it: big-endian two's complement. */
  private static byte[] readDecimal(Schema schema, JsonNode node, String path) {
    int scale = ((LogicalTypes.Decimal) schema.getLogicalType()).getScale();
    JsonNode text = node.get("$decimal");
    if (node.size() != 1 || text == null || !text.isTextual()) throw new NotationException(path, "expected {\"$decimal\": \"...\"}, got " + node);
    try {
      return new BigDecimal(text.textValue()).setScale(scale).unscaledValue().toByteArray();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new NotationException(path, text + " is not a decimal of scale " + scale + ": " + e.getMessage());
    }
  }

  private static byte[] signExtend(byte[] minimal, int size, String path) {
    if (minimal.length > size) throw new NotationException(path, "decimal needs " + minimal.length + " bytes, fixed has " + size);
    byte[] out = new byte[size];
    Arrays.fill(out, 0, size - minimal.length, (byte) (minimal[0] < 0 ? 0xff : 0));
    System.arraycopy(minimal, 0, out, size - minimal.length, minimal.length);
    return out;
  }

  private static byte[] hexToBytes(String hex, String path) {
    if (hex.length() % 2 != 0 || !hex.matches("[0-9a-fA-F]*")) throw new NotationException(path, "bad hex \"" + hex + "\"");
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    return bytes;
  }

  // ---------------------------------------------------------------- Avro value -> notation

  /** Renders a value (as GenericData holds it) into the notation; long bytes/strings abbreviated. */
  static JsonNode render(Schema schema, Object value) {
    try {
      return renderChecked(schema, value);
    } catch (RuntimeException e) {
      // A value that does not fit its schema is itself the finding: show it raw.
      return JSON.textNode("<" + (value == null ? "null" : value.getClass().getName()) + ": " + abbreviate(String.valueOf(value)) + ">");
    }
  }

  private static JsonNode renderChecked(Schema schema, Object value) {
    switch (schema.getType()) {
      case NULL: return JSON.nullNode();
      case BOOLEAN: return JSON.booleanNode((Boolean) value);
      case INT: return JSON.numberNode((Integer) value);
      case LONG: {
        long l = (Long) value;
        return Math.abs(l) <= (1L << 53) ? JSON.numberNode(l) : JSON.textNode(Long.toString(l));
      }
      case FLOAT: return renderDouble(((Float) value).doubleValue(), true);
      case DOUBLE: return renderDouble((Double) value, false);
      case BYTES: {
        byte[] bytes = bytesOf((ByteBuffer) value);
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal && bytes.length > 0)
          return JSON.objectNode().put("$decimal", new BigDecimal(new BigInteger(bytes), ((LogicalTypes.Decimal) schema.getLogicalType()).getScale()).toPlainString());
        return renderBytes(bytes);
      }
      case FIXED: return renderBytes(((GenericFixed) value).bytes());
      case STRING: {
        String s = value.toString();
        if (s.length() <= RENDER_LIMIT) return JSON.textNode(s);
        return JSON.objectNode().put("$abbreviated", s.substring(0, RENDER_LIMIT)).put("length", s.length());
      }
      case ENUM: return JSON.textNode(((GenericEnumSymbol<?>) value).toString());
      case ARRAY: {
        ArrayNode array = JSON.arrayNode();
        for (Object item : (Collection<?>) value) array.add(renderChecked(schema.getElementType(), item));
        return array;
      }
      case MAP: {
        ObjectNode object = JSON.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet())
          object.set(entry.getKey().toString(), renderChecked(schema.getValueType(), entry.getValue()));
        return object;
      }
      case UNION: {
        if (value == null && schema.getIndexNamed("null") != null) return JSON.nullNode();
        Schema branch = schema.getTypes().get(GenericData.get().resolveUnion(schema, value));
        ObjectNode object = JSON.objectNode();
        object.set(branch.getFullName(), renderChecked(branch, value));
        return object;
      }
      case RECORD: {
        GenericRecord record = (GenericRecord) value;
        ObjectNode object = JSON.objectNode();
        for (Schema.Field field : schema.getFields()) object.set(field.name(), renderChecked(field.schema(), record.get(field.pos())));
        return object;
      }
      default: throw new IllegalArgumentException("unsupported schema type " + schema.getType());
    }
  }

  private static JsonNode renderDouble(double d, boolean isFloat) {
    if (Double.isNaN(d)) return JSON.textNode("NaN");
    if (Double.isInfinite(d)) return JSON.textNode(d > 0 ? "Infinity" : "-Infinity");
    if (d == 0 && 1 / d < 0) return JSON.textNode("-0.0");
    return JSON.numberNode(d);
  }

  private static JsonNode renderBytes(byte[] bytes) {
    if (bytes.length <= RENDER_LIMIT / 2) return JSON.objectNode().put("$hex", toHex(bytes, bytes.length));
    return JSON.objectNode().put("$hexPrefix", toHex(bytes, RENDER_LIMIT / 2)).put("length", bytes.length);
  }

  static String toHex(byte[] bytes, int limit) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(limit, bytes.length); i++) sb.append(String.format("%02x", bytes[i] & 0xff));
    return sb.toString();
  }

  private static byte[] bytesOf(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return bytes;
  }

  private static String abbreviate(String s) {
    return s.length() <= RENDER_LIMIT ? s : s.substring(0, RENDER_LIMIT) + "...(" + s.length() + " chars)";
  }

  private static String quote(String key) {
    return "\"" + key + "\"";
  }

  // ---------------------------------------------------------------- equality

  /**
   * Compares two values of one schema with the suite's equality rules. Returns null when equal,
   * else where and how they first differ.
   */
  static String difference(Schema schema, Object expected, Object actual) {
    return difference(schema, expected, actual, "");
  }

  private static String difference(Schema schema, Object expected, Object actual, String path) {
    String at = path.isEmpty() ? "value" : path;
    if (schema.getType() != Schema.Type.NULL && schema.getType() != Schema.Type.UNION && actual == null)
      return at + ": expected " + render(schema, expected) + ", got null";
    switch (schema.getType()) {
      case NULL:
        return actual == null ? null : at + ": expected null, got " + actual;
      case BOOLEAN:
      case INT:
      case LONG:
        return expected.equals(actual) ? null : at + ": expected " + render(schema, expected) + ", got " + render(schema, actual);
      case FLOAT:
        // Bit-for-bit after rounding to 32 bits: NaN equals NaN, -0.0 differs from 0.0.
        return actual instanceof Float && Float.floatToIntBits((Float) expected) == Float.floatToIntBits((Float) actual) ? null
            : at + ": expected " + render(schema, expected) + ", got " + render(schema, actual);
      case DOUBLE:
        return actual instanceof Double && Double.doubleToLongBits((Double) expected) == Double.doubleToLongBits((Double) actual) ? null
            : at + ": expected " + render(schema, expected) + ", got " + render(schema, actual);
      case BYTES: {
        byte[] e = bytesOf((ByteBuffer) expected), a = bytesOf((ByteBuffer) actual);
        if (Arrays.equals(e, a)) return null;
        return at + ": bytes differ " + firstByteDifference(e, a);
      }
      case FIXED: {
        byte[] e = ((GenericFixed) expected).bytes(), a = ((GenericFixed) actual).bytes();
        return Arrays.equals(e, a) ? null : at + ": fixed differs " + firstByteDifference(e, a);
      }
      case STRING:
      case ENUM: {
        String e = expected.toString(), a = actual.toString();
        if (e.equals(a)) return null;
        int i = 0;
        while (i < Math.min(e.length(), a.length()) && e.charAt(i) == a.charAt(i)) i++;
        return at + ": strings differ at char " + i + " (expected length " + e.length() + ", got " + a.length() + "): expected "
            + render(schema, expected) + ", got " + render(schema, actual);
      }
      case ARRAY: {
        List<?> e = new ArrayList<>((Collection<?>) expected), a = new ArrayList<>((Collection<?>) actual);
        if (e.size() != a.size()) return at + ": expected " + e.size() + " items, got " + a.size();
        for (int i = 0; i < e.size(); i++) {
          String d = difference(schema.getElementType(), e.get(i), a.get(i), path + "[" + i + "]");
          if (d != null) return d;
        }
        return null;
      }
      case MAP: {
        Map<String, Object> e = byStringKey((Map<?, ?>) expected), a = byStringKey((Map<?, ?>) actual);
        if (!e.keySet().equals(a.keySet())) {
          Set<String> missing = new TreeSet<>(e.keySet());
          missing.removeAll(a.keySet());
          Set<String> extra = new TreeSet<>(a.keySet());
          extra.removeAll(e.keySet());
          return at + ": map keys differ: missing " + missing + ", unexpected " + extra;
        }
        for (String key : e.keySet()) {
          String d = difference(schema.getValueType(), e.get(key), a.get(key), path + "[" + quote(key) + "]");
          if (d != null) return d;
        }
        return null;
      }
      case UNION: {
        int eb = GenericData.get().resolveUnion(schema, expected);
        int ab;
        try {
          ab = GenericData.get().resolveUnion(schema, actual);
        } catch (RuntimeException ex) {
          return at + ": the answer fits no branch of " + schema + ": " + render(schema, actual);
        }
        if (eb != ab) return at + ": expected union branch " + schema.getTypes().get(eb).getFullName() + ", got "
            + schema.getTypes().get(ab).getFullName();
        return difference(schema.getTypes().get(eb), expected, actual, path + "<" + schema.getTypes().get(eb).getFullName() + ">");
      }
      case RECORD: {
        GenericRecord a = (GenericRecord) actual, e = (GenericRecord) expected;
        if (!a.getSchema().getFullName().equals(schema.getFullName()))
          return at + ": expected a " + schema.getFullName() + ", got a " + a.getSchema().getFullName();
        for (Schema.Field field : schema.getFields()) {
          if (a.getSchema().getField(field.name()) == null) return at + "." + field.name() + ": missing in the answer";
          String d = difference(field.schema(), e.get(field.pos()), a.get(field.name()), path + "." + field.name());
          if (d != null) return d;
        }
        return null;
      }
      default:
        return at + ": unsupported schema type " + schema.getType();
    }
  }

  private static Map<String, Object> byStringKey(Map<?, ?> map) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) out.put(entry.getKey().toString(), entry.getValue());
    return out;
  }

  private static String firstByteDifference(byte[] e, byte[] a) {
    int i = 0;
    while (i < Math.min(e.length, a.length) && e[i] == a[i]) i++;
    String where = i < Math.min(e.length, a.length)
        ? String.format("at offset %d (expected %02x, got %02x)", i, e[i] & 0xff, a[i] & 0xff)
        : "after offset " + i;
    return where + "; expected length " + e.length + ", got " + a.length;
  }
}
