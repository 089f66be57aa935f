package org.conformance.thrift.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.thrift.protocol.TType;

/**
 * The conformance IDL as the Thrift compiler describes it ({@code thrift --gen json}, run when the
 * image is built): structs, unions, exceptions, enums and services, typedefs already resolved.
 * The codec reads and writes values by this description; nothing here is generated Java.
 */
final class Idl {
  /** What a type is; the wire type byte of each comes from {@link #wireType()}. */
  enum Kind { VOID, BOOL, I8, I16, I32, I64, DOUBLE, STRING, BINARY, UUID, ENUM, STRUCT, LIST, SET, MAP }

  /** A type: {@code name} for STRUCT and ENUM, {@code element} for LIST and SET, key and value for MAP. */
  record Type(Kind kind, String name, Type element, Type key, Type value) {
    static Type of(Kind kind) {
      return new Type(kind, null, null, null, null);
    }

    /** The type byte on the wire (TType); uuid's byte is the library's own (see {@link Uuids}). */
    byte wireType() {
      return switch (kind) {
        case VOID -> TType.VOID;
        case BOOL -> TType.BOOL;
        case I8 -> TType.BYTE;
        case I16 -> TType.I16;
        case I32, ENUM -> TType.I32;
        case I64 -> TType.I64;
        case DOUBLE -> TType.DOUBLE;
        case STRING, BINARY -> TType.STRING;
        case UUID -> Uuids.wireType();
        case STRUCT -> TType.STRUCT;
        case LIST -> TType.LIST;
        case SET -> TType.SET;
        case MAP -> TType.MAP;
      };
    }

    @Override
    public String toString() {
      return switch (kind) {
        case STRUCT, ENUM -> name;
        case LIST -> "list<" + element + ">";
        case SET -> "set<" + element + ">";
        case MAP -> "map<" + key + ", " + value + ">";
        default -> kind.name().toLowerCase();
      };
    }
  }

  enum Requiredness { REQUIRED, DEFAULT, OPTIONAL }

  /** A field; {@code defaultValue} is the IDL default in the compiler's JSON form, or null. */
  record Field(short id, String name, Type type, Requiredness requiredness, JsonNode defaultValue) {}

  enum Shape { STRUCT, UNION, EXCEPTION }

  /** A struct, union or exception (and the synthetic argument and result structs of a function). */
  record Struct(String name, Shape shape, List<Field> fields, Map<Short, Field> byId, Map<String, Field> byName) {
    static Struct of(String name, Shape shape, List<Field> fields) {
      Map<Short, Field> byId = new HashMap<>();
      Map<String, Field> byName = new LinkedHashMap<>();
      for (Field f : fields) {
        if (byId.put(f.id(), f) != null) throw new IllegalArgumentException(name + ": field id " + f.id() + " twice");
        byName.put(f.name(), f);
      }
      return new Struct(name, shape, List.copyOf(fields), Map.copyOf(byId), Collections.unmodifiableMap(byName));
    }

    @Override
    public String toString() {
      return name;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Struct s && s.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }
  }

  record EnumDef(String name, Map<String, Integer> byName, Map<Integer, String> byValue) {}

  /**
   * A function. {@code arguments} is the {@code <name>_args} struct; {@code result} is the
   * {@code <name>_result} struct: field 0 {@code success} (absent for void), then the declared
   * exceptions under their own ids, as every Thrift implementation writes them.
   */
  record Function(String service, String name, boolean oneway, Type returns, Struct arguments, Struct result) {}

  record Service(String name, Map<String, Function> functions) {}

  private final Map<String, Struct> structs = new HashMap<>();
  private final Map<String, EnumDef> enums = new HashMap<>();
  private final Map<String, Service> services = new LinkedHashMap<>();

  static Idl read(File description) throws IOException {
    return new Idl(new ObjectMapper().readTree(description));
  }

  Idl(JsonNode root) {
    for (JsonNode e : root.path("enums")) {
      Map<String, Integer> byName = new LinkedHashMap<>();
      Map<Integer, String> byValue = new HashMap<>();
      for (JsonNode m : e.path("members")) {
        byName.put(m.get("name").asText(), m.get("value").intValue());
        byValue.put(m.get("value").intValue(), m.get("name").asText());
      }
      enums.put(e.get("name").asText(), new EnumDef(e.get("name").asText(), byName, byValue));
    }
    for (JsonNode s : root.path("structs")) {
      Shape shape = s.path("isException").asBoolean() ? Shape.EXCEPTION
          : s.path("isUnion").asBoolean() ? Shape.UNION : Shape.STRUCT;
      String name = s.get("name").asText();
      structs.put(name, Struct.of(name, shape, fields(s.path("fields"))));
    }
    for (JsonNode s : root.path("services")) {
      String service = s.get("name").asText();
      if (s.hasNonNull("extends")) throw new IllegalArgumentException("service inheritance is not supported: " + service);
      Map<String, Function> functions = new LinkedHashMap<>();
      for (JsonNode f : s.path("functions")) {
        String name = f.get("name").asText();
        Type returns = type(f.get("returnTypeId").asText(), f.path("returnType"));
        List<Field> result = new ArrayList<>();
        if (returns.kind() != Kind.VOID) result.add(new Field((short) 0, "success", returns, Requiredness.OPTIONAL, null));
        for (Field x : fields(f.path("exceptions"))) {
          result.add(new Field(x.id(), x.name(), x.type(), Requiredness.OPTIONAL, null));
        }
        functions.put(name, new Function(service, name, f.path("oneway").asBoolean(), returns,
            Struct.of(name + "_args", Shape.STRUCT, fields(f.path("arguments"))),
            Struct.of(name + "_result", Shape.STRUCT, result)));
      }
      services.put(service, new Service(service, Collections.unmodifiableMap(functions)));
    }
    // Every struct and enum a type names must exist: a broken description fails at start-up.
    for (Struct s : structs.values()) for (Field f : s.fields()) check(f.type());
    for (Service s : services.values()) {
      for (Function f : s.functions().values()) {
        for (Field x : f.arguments().fields()) check(x.type());
        for (Field x : f.result().fields()) check(x.type());
      }
    }
  }

  private void check(Type t) {
    switch (t.kind()) {
      case STRUCT -> struct(t.name());
      case ENUM -> enumDef(t.name());
      case LIST, SET -> check(t.element());
      case MAP -> {
        check(t.key());
        check(t.value());
      }
      default -> { }
    }
  }

  private static List<Field> fields(JsonNode list) {
    List<Field> out = new ArrayList<>();
    for (JsonNode f : list) {
      Requiredness requiredness = switch (f.path("required").asText("req_out")) {
        case "required" -> Requiredness.REQUIRED;
        case "optional" -> Requiredness.OPTIONAL;
        default -> Requiredness.DEFAULT; // "req_out": default requiredness
      };
      int id = f.get("key").intValue();
      if (id < Short.MIN_VALUE || id > Short.MAX_VALUE) throw new IllegalArgumentException("field id " + id);
      out.add(new Field((short) id, f.get("name").asText(), type(f.get("typeId").asText(), f.path("type")),
          requiredness, f.get("default")));
    }
    return out;
  }

  /** A type from the compiler's {@code typeId} and, for composite types, its {@code type} object. */
  private static Type type(String typeId, JsonNode detail) {
    return switch (typeId) {
      case "void" -> Type.of(Kind.VOID);
      case "bool" -> Type.of(Kind.BOOL);
      case "i8", "byte" -> Type.of(Kind.I8);
      case "i16" -> Type.of(Kind.I16);
      case "i32" -> Type.of(Kind.I32);
      case "i64" -> Type.of(Kind.I64);
      case "double" -> Type.of(Kind.DOUBLE);
      case "string" -> Type.of(Kind.STRING);
      case "binary" -> Type.of(Kind.BINARY);
      case "uuid" -> Type.of(Kind.UUID);
      case "enum" -> new Type(Kind.ENUM, detail.get("class").asText(), null, null, null);
      case "struct", "union", "exception" -> new Type(Kind.STRUCT, detail.get("class").asText(), null, null, null);
      case "list" -> new Type(Kind.LIST, null, type(detail.get("elemTypeId").asText(), detail.path("elemType")), null, null);
      case "set" -> new Type(Kind.SET, null, type(detail.get("elemTypeId").asText(), detail.path("elemType")), null, null);
      case "map" -> new Type(Kind.MAP, null, null,
          type(detail.get("keyTypeId").asText(), detail.path("keyType")),
          type(detail.get("valueTypeId").asText(), detail.path("valueType")));
      default -> throw new IllegalArgumentException("unknown type id in the IDL description: " + typeId);
    };
  }

  Struct struct(String name) {
    Struct s = structs.get(name);
    if (s == null) throw new IllegalArgumentException("the IDL has no struct, union or exception " + name);
    return s;
  }

  EnumDef enumDef(String name) {
    EnumDef e = enums.get(name);
    if (e == null) throw new IllegalArgumentException("the IDL has no enum " + name);
    return e;
  }

  Service service(String name) {
    Service s = services.get(name);
    if (s == null) throw new IllegalArgumentException("the IDL has no service " + name);
    return s;
  }

  Function function(String service, String name) {
    Function f = service(service).functions().get(name);
    if (f == null) throw new IllegalArgumentException(service + " has no function " + name);
    return f;
  }
}
