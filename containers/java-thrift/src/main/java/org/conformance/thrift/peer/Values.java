package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.thrift.TBase;
import org.apache.thrift.TEnum;
import org.apache.thrift.TFieldIdEnum;
import org.apache.thrift.TUnion;
import org.apache.thrift.meta_data.EnumMetaData;
import org.apache.thrift.meta_data.FieldMetaData;
import org.apache.thrift.meta_data.FieldValueMetaData;
import org.apache.thrift.meta_data.ListMetaData;
import org.apache.thrift.meta_data.MapMetaData;
import org.apache.thrift.meta_data.SetMetaData;
import org.apache.thrift.meta_data.StructMetaData;
import org.apache.thrift.protocol.TType;

/**
 * The value notation of suites/thrift/data/README.md, read against the IDL types that the
 * generated code itself describes (its metaDataMap), and the canonical form used to compare
 * and to report values: sets and maps sorted, doubles and i64 in the notation, binary as hex.
 */
final class Values {
  private Values() {}

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final HexFormat HEX = HexFormat.of();
  private static final long SAFE_INTEGER = 1L << 53;

  // ---- notation -> the Java values the generated code takes -------------------------------------

  static Object toJava(FieldValueMetaData type, JsonNode v) {
    if (v == null || v.isNull()) return null;
    switch (type.type) {
      case TType.BOOL:
        if (!v.isBoolean()) throw bad(type, v);
        return v.booleanValue();
      case TType.BYTE:
        return (byte) integer(v, Byte.MIN_VALUE, Byte.MAX_VALUE);
      case TType.I16:
        return (short) integer(v, Short.MIN_VALUE, Short.MAX_VALUE);
      case TType.I32:
        return (int) integer(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case TType.I64:
        return integer(v, Long.MIN_VALUE, Long.MAX_VALUE);
      case TType.DOUBLE:
        return toDouble(v);
      case TType.STRING:
        return type.isBinary() ? ByteBuffer.wrap(bytes(v)) : text(v);
      case TType.ENUM:
        return enumValue(((EnumMetaData) type).enumClass, v);
      case TType.STRUCT:
        return struct(((StructMetaData) type).structClass, v);
      case TType.LIST: {
        FieldValueMetaData element = ((ListMetaData) type).elemMetaData;
        List<Object> list = new ArrayList<>();
        for (JsonNode x : array(v)) list.add(toJava(element, x));
        return list;
      }
      case TType.SET: {
        FieldValueMetaData element = ((SetMetaData) type).elemMetaData;
        Set<Object> set = new HashSet<>();
        for (JsonNode x : array(v)) set.add(toJava(element, x));
        return set;
      }
      case TType.MAP: {
        MapMetaData map = (MapMetaData) type;
        Map<Object, Object> out = new LinkedHashMap<>();
        for (JsonNode pair : array(v)) {
          if (!pair.isArray() || pair.size() != 2) throw new IllegalArgumentException("a map entry is [key, value]: " + pair);
          out.put(toJava(map.keyMetaData, pair.get(0)), toJava(map.valueMetaData, pair.get(1)));
        }
        return out;
      }
      default:
        throw new IllegalArgumentException("unhandled Thrift type " + type.type);
    }
  }

  private static long integer(JsonNode v, long min, long max) {
    long value;
    if (v.isTextual()) {
      value = Long.parseLong(v.textValue());
    } else if (v.isIntegralNumber() && v.canConvertToLong()) {
      value = v.longValue();
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

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object enumValue(Class<? extends TEnum> cls, JsonNode v) {
    if (!v.isTextual()) throw new IllegalArgumentException("an enum value is its symbol name: " + v);
    return Enum.valueOf((Class) cls, v.textValue());
  }

  /**
   * A struct, union or exception. The generated no-argument constructor fills in IDL defaults;
   * the notation says exactly which fields are set, so every field the object does not name is
   * unset first. (libthrift still writes unset default-requiredness primitives: that is Java's
   * "required-out" writer, not something a caller can switch off.)
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static TBase<?, ?> struct(Class<? extends TBase> cls, JsonNode v) {
    if (!v.isObject()) throw new IllegalArgumentException(cls.getSimpleName() + " needs a JSON object: " + v);
    TBase instance = newInstance(cls);
    Map<? extends TFieldIdEnum, FieldMetaData> fields = FieldMetaData.getStructMetaDataMap(cls);
    Map<String, TFieldIdEnum> byName = new LinkedHashMap<>();
    fields.forEach((id, meta) -> byName.put(meta.fieldName, id));
    v.fieldNames().forEachRemaining(name -> {
      if (!byName.containsKey(name)) throw new IllegalArgumentException(cls.getSimpleName() + " has no field " + name);
    });
    if (instance instanceof TUnion) {
      if (v.size() != 1) throw new IllegalArgumentException("a union value has exactly one field: " + v);
    } else {
      for (TFieldIdEnum id : byName.values()) instance.setFieldValue(id, null);
    }
    for (Map.Entry<String, TFieldIdEnum> field : byName.entrySet()) {
      if (v.has(field.getKey())) {
        TFieldIdEnum id = field.getValue();
        instance.setFieldValue(id, toJava(fields.get(id).valueMetaData, v.get(field.getKey())));
      }
    }
    return instance;
  }

  static <T> T newInstance(Class<T> cls) {
    try {
      return cls.getDeclaredConstructor().newInstance();
    } catch (InstantiationException | IllegalAccessException | NoSuchMethodException e) {
      throw new IllegalStateException("cannot construct " + cls, e);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("cannot construct " + cls, e.getCause());
    }
  }

  private static Iterable<JsonNode> array(JsonNode v) {
    if (!v.isArray()) throw new IllegalArgumentException("expected a JSON array: " + v);
    return v;
  }

  private static IllegalArgumentException bad(FieldValueMetaData type, JsonNode v) {
    return new IllegalArgumentException("not a value of Thrift type " + type.type + ": " + v);
  }

  // ---- a Java value -> the canonical, comparable form -------------------------------------------

  @SuppressWarnings({"unchecked", "rawtypes"})
  static JsonNode canonical(FieldValueMetaData type, Object v) {
    if (v == null) return JSON.nullNode();
    switch (type.type) {
      case TType.BOOL:
        return JSON.booleanNode((Boolean) v);
      case TType.BYTE: case TType.I16: case TType.I32:
        return JSON.numberNode(((Number) v).intValue());
      case TType.I64: {
        long n = (Long) v;
        // Beyond +-2^53 the notation is a string of digits; within, a number.
        return n > SAFE_INTEGER || n < -SAFE_INTEGER ? JSON.textNode(Long.toString(n)) : JSON.numberNode(n);
      }
      case TType.DOUBLE: {
        double d = (Double) v;
        if (Double.isNaN(d)) return JSON.textNode("NaN");
        if (Double.isInfinite(d)) return JSON.textNode(d > 0 ? "Infinity" : "-Infinity");
        if (d == 0 && Double.doubleToRawLongBits(d) != 0) return JSON.textNode("-0.0");
        return JSON.numberNode(d);
      }
      case TType.STRING:
        if (type.isBinary()) return JSON.objectNode().put("$hex", HEX.formatHex(binary(v)));
        return JSON.textNode((String) v);
      case TType.ENUM:
        return JSON.textNode(((Enum<?>) v).name());
      case TType.STRUCT: {
        TBase struct = (TBase) v;
        ObjectNode out = JSON.objectNode();
        Map<? extends TFieldIdEnum, FieldMetaData> fields = FieldMetaData.getStructMetaDataMap(struct.getClass());
        fields.forEach((id, meta) -> {
          // "Set" is libthrift's own notion: the isset bit for primitives, non-null for the rest.
          if (struct.isSet(id)) out.set(meta.fieldName, canonical(meta.valueMetaData, struct.getFieldValue(id)));
        });
        return out;
      }
      case TType.LIST: {
        ArrayNode out = JSON.arrayNode();
        for (Object x : (List<?>) v) out.add(canonical(((ListMetaData) type).elemMetaData, x));
        return out;
      }
      case TType.SET: {
        List<JsonNode> items = new ArrayList<>();
        for (Object x : (Set<?>) v) items.add(canonical(((SetMetaData) type).elemMetaData, x));
        items.sort(Comparator.comparing(JsonNode::toString));
        return JSON.arrayNode().addAll(items);
      }
      case TType.MAP: {
        MapMetaData map = (MapMetaData) type;
        List<ArrayNode> pairs = new ArrayList<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
          pairs.add(JSON.arrayNode().add(canonical(map.keyMetaData, e.getKey()))
              .add(canonical(map.valueMetaData, e.getValue())));
        }
        pairs.sort(Comparator.comparing(pair -> pair.get(0).toString()));
        return JSON.arrayNode().addAll(pairs);
      }
      default:
        throw new IllegalArgumentException("unhandled Thrift type " + type.type);
    }
  }

  /** Generated getters hand out binary as byte[] (fields) or ByteBuffer (in containers). */
  private static byte[] binary(Object v) {
    if (v instanceof byte[] b) return b;
    ByteBuffer buffer = ((ByteBuffer) v).duplicate();
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
