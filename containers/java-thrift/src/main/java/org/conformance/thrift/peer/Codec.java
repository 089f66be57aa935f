package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TField;
import org.apache.thrift.protocol.TList;
import org.apache.thrift.protocol.TMap;
import org.apache.thrift.protocol.TProtocol;
import org.apache.thrift.protocol.TProtocolException;
import org.apache.thrift.protocol.TProtocolUtil;
import org.apache.thrift.protocol.TSet;
import org.apache.thrift.protocol.TStruct;
import org.apache.thrift.protocol.TType;

/**
 * Reads and writes values of the described IDL types with libthrift's TProtocol calls, the way
 * generated Java does: fields in declaration order, unknown fields (or known ids with another wire
 * type) skipped with TProtocolUtil.skip, IDL defaults filled in for fields that are absent,
 * required fields checked. Every length and count check is the protocol's own.
 */
final class Codec {
  /**
   * How deep structs and containers may nest in what is read (and skipped). Generated Java has no
   * such limit on a recursive struct (Drawing.inset) and older releases none on skipping, so a
   * hostile message a few bytes per level deep would overflow the stack and end the server thread:
   * here it is a TProtocolException for that connection. 64 is libthrift's own recursion limit.
   */
  static final int MAX_DEPTH = 64;

  private final Idl idl;

  Codec(Idl idl) {
    this.idl = idl;
  }

  Idl idl() {
    return idl;
  }

  // ---- writing ----------------------------------------------------------------------------------

  void write(TProtocol out, Idl.Type type, Object value) throws TException {
    switch (type.kind()) {
      case BOOL -> out.writeBool((Boolean) value);
      case I8 -> out.writeByte((Byte) value);
      case I16 -> out.writeI16((Short) value);
      case I32, ENUM -> out.writeI32((Integer) value);
      case I64 -> out.writeI64((Long) value);
      case DOUBLE -> out.writeDouble((Double) value);
      case STRING -> out.writeString((String) value);
      case BINARY -> out.writeBinary(((ByteBuffer) value).duplicate());
      case UUID -> Uuids.write(out, (UUID) value);
      case STRUCT -> writeStruct(out, (StructValue) value);
      case LIST -> {
        List<?> list = (List<?>) value;
        out.writeListBegin(new TList(type.element().wireType(), list.size()));
        for (Object x : list) write(out, type.element(), x);
        out.writeListEnd();
      }
      case SET -> {
        Set<?> set = (Set<?>) value;
        out.writeSetBegin(new TSet(type.element().wireType(), set.size()));
        for (Object x : set) write(out, type.element(), x);
        out.writeSetEnd();
      }
      case MAP -> {
        Map<?, ?> map = (Map<?, ?>) value;
        out.writeMapBegin(new TMap(type.key().wireType(), type.value().wireType(), map.size()));
        for (Map.Entry<?, ?> e : map.entrySet()) {
          write(out, type.key(), e.getKey());
          write(out, type.value(), e.getValue());
        }
        out.writeMapEnd();
      }
      case VOID -> throw new IllegalArgumentException("void has no value");
    }
  }

  /** Writes a struct by its own definition (which may differ from the declared one: "$as"). */
  void writeStruct(TProtocol out, StructValue value) throws TException {
    Idl.Struct definition = value.definition();
    if (definition.shape() == Idl.Shape.UNION && value.fields().size() != 1) {
      throw new TProtocolException("Cannot write the union " + definition.name() + " with "
          + value.fields().size() + " fields set; a union has exactly one");
    }
    out.writeStructBegin(new TStruct(definition.name()));
    for (Idl.Field f : definition.fields()) {
      Object v = value.fields().get(f.id());
      if (v == null) {
        if (f.requiredness() == Idl.Requiredness.REQUIRED) {
          throw new TProtocolException("Required field '" + f.name() + "' was not present! Struct: " + definition.name());
        }
        continue;
      }
      out.writeFieldBegin(new TField(f.name(), f.type().wireType(), f.id()));
      write(out, f.type(), v);
      out.writeFieldEnd();
    }
    out.writeFieldStop();
    out.writeStructEnd();
  }

  // ---- reading ----------------------------------------------------------------------------------

  Object read(TProtocol in, Idl.Type type) throws TException {
    return read(in, type, 0);
  }

  private Object read(TProtocol in, Idl.Type type, int depth) throws TException {
    switch (type.kind()) {
      case BOOL:
        return in.readBool();
      case I8:
        return in.readByte();
      case I16:
        return in.readI16();
      case I32:
      case ENUM:
        return in.readI32();
      case I64:
        return in.readI64();
      case DOUBLE:
        return in.readDouble();
      case STRING:
        return in.readString();
      case BINARY: {
        // A protocol may hand out a view of its transport's buffer: keep a copy of our own.
        ByteBuffer view = in.readBinary();
        ByteBuffer copy = ByteBuffer.allocate(view.remaining());
        copy.put(view.duplicate()).flip();
        return copy;
      }
      case UUID:
        return Uuids.read(in);
      case STRUCT:
        return readStruct(in, idl.struct(type.name()), depth);
      case LIST: {
        checkDepth(depth);
        TList header = in.readListBegin();
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < header.size; i++) list.add(read(in, type.element(), depth + 1));
        in.readListEnd();
        return list;
      }
      case SET: {
        checkDepth(depth);
        TSet header = in.readSetBegin();
        Set<Object> set = new LinkedHashSet<>();
        for (int i = 0; i < header.size; i++) set.add(read(in, type.element(), depth + 1));
        in.readSetEnd();
        return set;
      }
      case MAP: {
        checkDepth(depth);
        TMap header = in.readMapBegin();
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < header.size; i++) {
          Object key = read(in, type.key(), depth + 1);
          map.put(key, read(in, type.value(), depth + 1));
        }
        in.readMapEnd();
        return map;
      }
      default:
        throw new IllegalArgumentException("cannot read a value of type " + type);
    }
  }

  StructValue readStruct(TProtocol in, Idl.Struct definition) throws TException {
    return readStruct(in, definition, 0);
  }

  private StructValue readStruct(TProtocol in, Idl.Struct definition, int depth) throws TException {
    checkDepth(depth);
    StructValue value = new StructValue(definition);
    for (Idl.Field f : definition.fields()) {
      if (f.defaultValue() != null) value.fields().put(f.id(), defaultValue(f.type(), f.defaultValue()));
    }
    int setOnWire = 0;
    in.readStructBegin();
    while (true) {
      TField header = in.readFieldBegin();
      if (header.type == TType.STOP) break;
      Idl.Field f = definition.byId().get(header.id);
      if (f != null && header.type == f.type().wireType()) {
        value.fields().put(f.id(), read(in, f.type(), depth + 1));
        setOnWire++;
      } else {
        TProtocolUtil.skip(in, header.type, MAX_DEPTH - depth);
      }
      in.readFieldEnd();
    }
    in.readStructEnd();
    if (definition.shape() == Idl.Shape.UNION && setOnWire > 1) {
      throw new TProtocolException("the union " + definition.name() + " arrived with " + setOnWire + " fields set");
    }
    for (Idl.Field f : definition.fields()) {
      if (f.requiredness() == Idl.Requiredness.REQUIRED && !value.fields().containsKey(f.id())) {
        throw new TProtocolException("Required field '" + f.name() + "' was not found in serialized data! Struct: "
            + definition.name());
      }
    }
    return value;
  }

  private static void checkDepth(int depth) throws TProtocolException {
    if (depth >= MAX_DEPTH) {
      throw new TProtocolException(TProtocolException.DEPTH_LIMIT, "values nest deeper than " + MAX_DEPTH + " levels");
    }
  }

  /** An IDL default, from the compiler's JSON rendering of the constant (enums as their values). */
  Object defaultValue(Idl.Type type, JsonNode v) {
    switch (type.kind()) {
      case BOOL:
        return v.isBoolean() ? v.booleanValue() : v.asLong() != 0;
      case I8:
        return (byte) v.asLong();
      case I16:
        return (short) v.asLong();
      case I32:
      case ENUM:
        return (int) v.asLong();
      case I64:
        return v.asLong();
      case DOUBLE:
        return v.asDouble();
      case STRING:
        return v.asText();
      case BINARY:
        return ByteBuffer.wrap(v.asText().getBytes(StandardCharsets.UTF_8));
      case UUID:
        return UUID.fromString(v.asText());
      case LIST: {
        List<Object> list = new ArrayList<>();
        for (JsonNode x : v) list.add(defaultValue(type.element(), x));
        return list;
      }
      case SET: {
        Set<Object> set = new LinkedHashSet<>();
        for (JsonNode x : v) set.add(defaultValue(type.element(), x));
        return set;
      }
      case MAP: {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          map.put(defaultValue(type.key(), Notation.JSON.textNode(e.getKey())), defaultValue(type.value(), e.getValue()));
        }
        return map;
      }
      case STRUCT: {
        Idl.Struct definition = idl.struct(type.name());
        StructValue value = new StructValue(definition);
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          Idl.Field f = definition.byName().get(e.getKey());
          if (f == null) throw new IllegalArgumentException(definition.name() + " has no field " + e.getKey());
          value.fields().put(f.id(), defaultValue(f.type(), e.getValue()));
        }
        return value;
      }
      default:
        throw new IllegalArgumentException("no default value for type " + type);
    }
  }
}
