"""Values three ways, all schema-directed (schemas.py):

  from_notation(schema, v)  the case notation (suites/avro/data/README.md) -> a plain value
  to_avro_json / from_avro_json   plain value <-> Avro's JSON encoding, what avro-tools reads and prints
  same(schema, a, b)        equality by the suite's rules
  to_notation(schema, v)    plain value -> notation, for TAP diagnostics

Plain values: None, bool, int, float (floats already rounded to 32 bits), str, bytes, list, dict
(records and maps), a union as None or (branch name, value), a decimal as its unscaled int.
Scalar values are read and written by scalars.py (containers/avro-notation, shared with the Python
peers).
"""

import math
import struct
from decimal import Decimal, localcontext

from scalars import (
    SPECIAL_FLOATS,
    NotationError,
    bytes_notation,
    float_notation,
    integer_notation,
    read_bytes,
    read_integer,
    read_real,
    read_text,
    text_notation,
)


class EncodingError(ValueError):
    """The program printed something that is not the schema's JSON encoding."""


def _float32(number):
    try:
        return struct.unpack("<f", struct.pack("<f", number))[0]
    except OverflowError:
        return math.copysign(math.inf, number)


def _is_decimal(schema):
    return schema.logical == "decimal" and schema.kind in ("bytes", "fixed")


def _unscaled_to_bytes(unscaled, size=None):
    length = size or max(1, (unscaled + (unscaled < 0)).bit_length() // 8 + 1)
    return unscaled.to_bytes(length, "big", signed=True)


def _branch(union, name):
    for branch in union.branches:
        if branch.branch_name == name:
            return branch
    raise NotationError(f"the union has no branch {name!r}")


# --- notation -> plain ----------------------------------------------------------------------


def from_notation(schema, value):
    kind = schema.kind
    if _is_decimal(schema):
        if not (isinstance(value, dict) and set(value) == {"$decimal"}):
            raise NotationError(f"not a decimal notation: {value!r}")
        with localcontext() as context:
            context.prec = 200
            scaled = Decimal(value["$decimal"]).scaleb(schema.scale)
        if scaled != scaled.to_integral_value():
            raise NotationError(f"{value['$decimal']} has more digits than scale {schema.scale}")
        return int(scaled)
    if kind == "null":
        if value is not None:
            raise NotationError(f"expected null, got {value!r}")
        return None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise NotationError(f"expected a boolean, got {value!r}")
        return value
    if kind in ("int", "long"):
        return read_integer(value)
    if kind == "float":
        return _float32(read_real(value))
    if kind == "double":
        return read_real(value)
    if kind == "string":
        return read_text(value)
    if kind in ("bytes", "fixed"):
        data = read_bytes(value)
        if kind == "fixed" and len(data) != schema.size:
            raise NotationError(f"fixed {schema.name} takes {schema.size} bytes, got {len(data)}")
        return data
    if kind == "enum":
        if value not in schema.symbols:
            raise NotationError(f"{value!r} is not a symbol of {schema.name}")
        return value
    if kind == "array":
        return [from_notation(schema.items, item) for item in value]
    if kind == "map":
        return {key: from_notation(schema.values, item) for key, item in value.items()}
    if kind in ("record", "error"):
        if not isinstance(value, dict):
            raise NotationError(f"expected an object for {schema.name}, got {value!r}")
        unknown = set(value) - {field.name for field in schema.fields}
        if unknown:
            raise NotationError(f"fields {sorted(unknown)} are not in {schema.name}")
        record = {}
        for field in schema.fields:
            if field.name in value:
                record[field.name] = from_notation(field.type, value[field.name])
            elif field.has_default:
                record[field.name] = from_avro_json(field.type, field.default, default=True)
            else:
                raise NotationError(f"field {field.name} of {schema.name} has no value and no default")
        return record
    if kind == "union":
        if value is None:
            _branch(schema, "null")
            return None
        if not isinstance(value, dict) or len(value) != 1:
            raise NotationError(f"a union value is null or {{branch: value}}, got {value!r}")
        (name, inner), = value.items()
        return (name, from_notation(_branch(schema, name), inner))
    raise NotationError(f"unsupported schema type {kind}")


# --- plain <-> Avro JSON encoding -----------------------------------------------------------------


def to_avro_json(schema, value):
    kind = schema.kind
    if _is_decimal(schema):
        return _unscaled_to_bytes(value, schema.size if kind == "fixed" else None).decode("latin-1")
    if kind in ("float", "double"):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if kind in ("bytes", "fixed"):
        return value.decode("latin-1")
    if kind == "array":
        return [to_avro_json(schema.items, item) for item in value]
    if kind == "map":
        return {key: to_avro_json(schema.values, item) for key, item in value.items()}
    if kind in ("record", "error"):
        return {field.name: to_avro_json(field.type, value[field.name]) for field in schema.fields}
    if kind == "union":
        if value is None:
            return None
        name, inner = value
        return {name: to_avro_json(_branch(schema, name), inner)}
    return value


def from_avro_json(schema, value, default=False):
    """Avro JSON (as printed by avro-tools, or a field default) -> plain. Raises EncodingError."""
    kind = schema.kind
    try:
        if _is_decimal(schema):
            return int.from_bytes(value.encode("latin-1"), "big", signed=True)
        if kind == "null":
            if value is not None:
                raise EncodingError(f"expected null, got {value!r}")
            return None
        if kind == "boolean":
            if not isinstance(value, bool):
                raise EncodingError(f"expected a boolean, got {value!r}")
            return value
        if kind in ("int", "long"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise EncodingError(f"expected an integer, got {value!r}")
            return value
        if kind in ("float", "double"):
            if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
                number = SPECIAL_FLOATS[value]
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                number = float(value)
            else:
                raise EncodingError(f"expected a number, got {value!r}")
            return _float32(number) if kind == "float" else number
        if kind in ("string", "enum"):
            if not isinstance(value, str):
                raise EncodingError(f"expected a string, got {value!r}")
            return value
        if kind in ("bytes", "fixed"):
            if not isinstance(value, str):
                raise EncodingError(f"expected bytes as a string, got {value!r}")
            return value.encode("latin-1")
        if kind == "array":
            return [from_avro_json(schema.items, item, default) for item in value]
        if kind == "map":
            return {key: from_avro_json(schema.values, item, default) for key, item in value.items()}
        if kind in ("record", "error"):
            if not isinstance(value, dict):
                raise EncodingError(f"expected an object for {schema.name}, got {value!r}")
            record = {}
            for field in schema.fields:
                if field.name in value:
                    record[field.name] = from_avro_json(field.type, value[field.name], default)
                elif field.has_default:
                    record[field.name] = from_avro_json(field.type, field.default, True)
                else:
                    raise EncodingError(f"field {field.name} missing")
            return record
        if kind == "union":
            if default:  # a default is for the first branch, not wrapped
                first = schema.branches[0]
                return None if first.kind == "null" else (first.branch_name, from_avro_json(first, value, True))
            if value is None:
                _branch(schema, "null")
                return None
            if not isinstance(value, dict) or len(value) != 1:
                raise EncodingError(f"expected null or {{branch: value}}, got {value!r}")
            (name, inner), = value.items()
            return (name, from_avro_json(_branch(schema, name), inner))
    except (NotationError, UnicodeEncodeError, AttributeError, TypeError) as error:
        raise EncodingError(str(error)) from None
    raise EncodingError(f"unsupported schema type {kind}")


# --- equality and diagnostics -----------------------------------------------------------------


def same(schema, a, b):
    kind = schema.kind
    if _is_decimal(schema):
        return type(a) is int and type(b) is int and a == b
    if kind in ("float", "double"):
        if not isinstance(a, float) or not isinstance(b, float):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return struct.pack("<d", a) == struct.pack("<d", b)
    if kind == "array":
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(same(schema.items, x, y) for x, y in zip(a, b))
    if kind == "map":
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(same(schema.values, a[k], b[k]) for k in a)
    if kind in ("record", "error"):
        return isinstance(a, dict) and isinstance(b, dict) and all(
            field.name in a and field.name in b and same(field.type, a[field.name], b[field.name]) for field in schema.fields)
    if kind == "union":
        if a is None or b is None:
            return a is None and b is None
        return a[0] == b[0] and same(_branch(schema, a[0]), a[1], b[1])
    if kind in ("boolean", "null"):
        return a is b
    return type(a) is type(b) and a == b


def to_notation(schema, value):
    """Plain -> notation, for diagnostics; never raises."""
    try:
        return _to_notation(schema, value)
    except Exception:  # a diagnostic must not hide the failure it describes
        return {"$python": repr(value)[:2000]}


def _to_notation(schema, value):
    kind = schema.kind
    if _is_decimal(schema):
        return {"$decimal": str(Decimal(value).scaleb(-schema.scale))}
    if kind in ("int", "long"):
        return integer_notation(value)
    if kind in ("float", "double"):
        return float_notation(value)
    if kind in ("bytes", "fixed"):
        return bytes_notation(value)
    if kind == "string":
        return text_notation(value)
    if kind == "array":
        return [_to_notation(schema.items, item) for item in value]
    if kind == "map":
        return {key: _to_notation(schema.values, item) for key, item in value.items()}
    if kind in ("record", "error"):
        return {field.name: _to_notation(field.type, value.get(field.name)) for field in schema.fields}
    if kind == "union":
        if value is None:
            return None
        return {value[0]: _to_notation(_branch(schema, value[0]), value[1])}
    return value


# --- plain -> Avro binary (only to route a request to its case's rpcreceive) ----------------------


def _long(number):
    zigzag = (number << 1) ^ (number >> 63)
    out = bytearray()
    while zigzag > 0x7F:
        out.append((zigzag & 0x7F) | 0x80)
        zigzag >>= 7
    out.append(zigzag)
    return bytes(out)


def to_binary(schema, value):
    kind = schema.kind
    if _is_decimal(schema):
        data = _unscaled_to_bytes(value, schema.size if kind == "fixed" else None)
        return data if kind == "fixed" else _long(len(data)) + data
    if kind == "null":
        return b""
    if kind == "boolean":
        return b"\x01" if value else b"\x00"
    if kind in ("int", "long"):
        return _long(value)
    if kind == "float":
        return struct.pack("<f", value)
    if kind == "double":
        return struct.pack("<d", value)
    if kind == "string":
        return _text_binary(value)
    if kind == "bytes":
        return _long(len(value)) + value
    if kind == "fixed":
        return value
    if kind == "enum":
        return _long(schema.symbols.index(value))
    if kind == "array":
        body = b"".join(to_binary(schema.items, item) for item in value)
        return (_long(len(value)) + body if value else b"") + b"\x00"
    if kind == "map":
        body = b"".join(_text_binary(key) + to_binary(schema.values, item) for key, item in value.items())
        return (_long(len(value)) + body if value else b"") + b"\x00"
    if kind in ("record", "error"):
        return b"".join(to_binary(field.type, value[field.name]) for field in schema.fields)
    if kind == "union":
        if value is None:
            index = next(i for i, b in enumerate(schema.branches) if b.kind == "null")
            return _long(index)
        name, inner = value
        index = next(i for i, b in enumerate(schema.branches) if b.branch_name == name)
        return _long(index) + to_binary(schema.branches[index], inner)
    raise NotationError(f"unsupported schema type {kind}")


def _text_binary(text):
    data = text.encode("utf-8")
    return _long(len(data)) + data
