package org.conformance.thrift.peer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A struct, union or exception value: its definition and the fields that are set, by field id.
 * The definition travels with the value, so an EvolvingV2 can be written where an Evolving is
 * declared ("$as" in the value notation) and the reader of the other side skips what it does not know.
 *
 * <p>Values of the other types are plain Java objects: Boolean, Byte, Short, Integer (i32 and enum
 * values), Long, Double, String, ByteBuffer (binary), java.util.UUID, List, Set and Map.
 */
record StructValue(Idl.Struct definition, Map<Short, Object> fields) {
  StructValue(Idl.Struct definition) {
    this(definition, new LinkedHashMap<>());
  }

  Object get(String name) {
    Idl.Field f = definition.byName().get(name);
    if (f == null) throw new IllegalArgumentException(definition.name() + " has no field " + name);
    return fields.get(f.id());
  }

  StructValue set(String name, Object value) {
    Idl.Field f = definition.byName().get(name);
    if (f == null) throw new IllegalArgumentException(definition.name() + " has no field " + name);
    if (value == null) {
      fields.remove(f.id());
    } else {
      fields.put(f.id(), value);
    }
    return this;
  }
}
