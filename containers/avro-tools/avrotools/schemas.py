"""Avro schemas and protocols read from their JSON, just far enough to walk values against them.

avro-tools takes and prints values in Avro's JSON encoding, which is schema-directed (bytes as
code points 0-255, unions as {"branch": value}); this image carries no Avro library besides the
program under test, so the wrapper reads the schemas itself.
"""

import json

PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


class Schema:
    """kind: a primitive name, or fixed | enum | record | error | array | map | union."""

    def __init__(self, kind, **attributes):
        self.kind = kind
        self.name = None  # full name of named types
        self.logical = None
        self.scale = 0
        self.size = None
        self.symbols = ()
        self.fields = ()
        self.items = None
        self.values = None
        self.branches = ()
        self.logical_props = {}
        for key, value in attributes.items():
            setattr(self, key, value)

    @property
    def branch_name(self):
        """The key of this type as a union branch in Avro's JSON encoding."""
        return self.name or self.kind

    def to_json(self, defined=None):
        """A standalone JSON schema (named types defined at first use), e.g. for `fromjson`."""
        defined = set() if defined is None else defined
        if self.name is not None and self.name in defined:
            return self.name
        if self.kind in PRIMITIVES:
            out = {"type": self.kind}
        elif self.kind == "array":
            return {"type": "array", "items": self.items.to_json(defined)}
        elif self.kind == "map":
            return {"type": "map", "values": self.values.to_json(defined)}
        elif self.kind == "union":
            return [branch.to_json(defined) for branch in self.branches]
        else:
            defined.add(self.name)
            out = {"type": self.kind, "name": self.name}
            if self.kind == "fixed":
                out["size"] = self.size
            elif self.kind == "enum":
                out["symbols"] = list(self.symbols)
            else:
                out["fields"] = []
                for field in self.fields:
                    entry = {"name": field.name, "type": field.type.to_json(defined)}
                    if field.has_default:
                        entry["default"] = field.default
                    out["fields"].append(entry)
        if self.logical:
            out["logicalType"] = self.logical
            out.update(self.logical_props)
        return out if len(out) > 1 or self.kind not in PRIMITIVES else self.kind


class Field:
    def __init__(self, name, type_, has_default, default):
        self.name = name
        self.type = type_
        self.has_default = has_default
        self.default = default


class Message:
    def __init__(self, name, request, response, errors, one_way):
        self.name = name
        self.request = request  # a record schema named after the message, as upstream's data files have
        self.response = response
        self.errors = errors  # union: "string" (system errors) and the declared errors
        self.one_way = one_way


class Protocol:
    def __init__(self, name, namespace, messages):
        self.name = name
        self.namespace = namespace
        self.messages = messages


class Names:
    def __init__(self):
        self.named = {}

    def full(self, name, namespace):
        return name if "." in name or not namespace else f"{namespace}.{name}"

    def parse(self, json_schema, namespace):
        if isinstance(json_schema, str):
            if json_schema in PRIMITIVES:
                return Schema(json_schema)
            full = self.full(json_schema, namespace)
            if full not in self.named:
                raise ValueError(f"unknown type {json_schema} (namespace {namespace})")
            return self.named[full]
        if isinstance(json_schema, list):
            return Schema("union", branches=tuple(self.parse(b, namespace) for b in json_schema))
        kind = json_schema["type"]
        logical = json_schema.get("logicalType")
        props = {k: v for k, v in json_schema.items() if k in ("precision", "scale")}
        if kind in PRIMITIVES:
            return Schema(kind, logical=logical, scale=json_schema.get("scale", 0), logical_props=props)
        if kind == "array":
            return Schema("array", items=self.parse(json_schema["items"], namespace))
        if kind == "map":
            return Schema("map", values=self.parse(json_schema["values"], namespace))
        if kind in ("fixed", "enum", "record", "error"):
            full = self.full(json_schema["name"], json_schema.get("namespace", namespace))
            inner_namespace = full.rsplit(".", 1)[0] if "." in full else None
            schema = Schema(kind, name=full, logical=logical, scale=json_schema.get("scale", 0), logical_props=props,
                            size=json_schema.get("size"), symbols=tuple(json_schema.get("symbols", ())))
            self.named[full] = schema  # before the fields: records may refer to themselves
            if kind in ("record", "error"):
                schema.fields = tuple(Field(f["name"], self.parse(f["type"], inner_namespace), "default" in f, f.get("default"))
                                      for f in json_schema["fields"])
            return schema
        if isinstance(kind, (dict, list)) or kind in self.named or "." in str(kind):
            return self.parse(kind, namespace)
        raise ValueError(f"unsupported schema {json_schema!r}")


def parse_protocol(text):
    data = json.loads(text)
    namespace = data.get("namespace")
    name = data["protocol"]
    if "." in name:
        namespace, name = name.rsplit(".", 1)
    names = Names()
    for json_type in data.get("types", []):
        names.parse(json_type, namespace)
    messages = {}
    for message_name, spec in data.get("messages", {}).items():
        fields = tuple(Field(p["name"], names.parse(p["type"], namespace), "default" in p, p.get("default"))
                       for p in spec["request"])
        request = Schema("record", name=message_name, fields=fields)
        response = names.parse(spec.get("response", "null"), namespace)
        declared = [names.parse(e, namespace) for e in spec.get("errors", [])]
        errors = Schema("union", branches=(Schema("string"), *declared))
        messages[message_name] = Message(message_name, request, response, errors, bool(spec.get("one-way")))
    return Protocol(name, namespace, messages)


def load_protocol(path):
    with open(path, encoding="utf-8") as f:
        return parse_protocol(f.read())
