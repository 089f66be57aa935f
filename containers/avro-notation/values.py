"""The case catalogue's value notation, read against the schemas of avro (PyPI) (see
suites/avro/data/README.md). Scalar values are read and written by scalars.py.

Three schema-directed walks:
  to_python(schema, v)   notation -> the Python value avro 1.12 writes (Decimal, date, datetime, ...)
  same(schema, a, b)     equality of two Python values by the suite's rules (floats bit-for-bit, NaN == NaN)
  to_notation(schema, v) Python value -> notation, only to show an actual value in a TAP diagnostic
"""

import datetime
import decimal
import math
import struct

import avro.io
import avro.schema

from scalars import (
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

EPOCH_DATE = datetime.date(1970, 1, 1)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MIDNIGHT = datetime.datetime(1970, 1, 1)


def logical(schema):
    return getattr(schema, "logical_type", None) or schema.get_prop("logicalType")


def branch_name(schema):
    """The name a union branch has in the notation (and in Avro's JSON encoding)."""
    return getattr(schema, "fullname", None) or schema.type


def union_branch(union, name):
    for branch in union.schemas:
        if branch_name(branch) == name:
            return branch
    raise NotationError(f"union {union} has no branch {name!r}")


def to_python(schema, value):
    kind = schema.type
    lt = logical(schema)
    if kind == "null":
        if value is not None:
            raise NotationError(f"expected null, got {value!r}")
        return None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise NotationError(f"expected a boolean, got {value!r}")
        return value
    if kind == "int" or kind == "long":
        number = read_integer(value)
        # avro 1.12 writes logical types from Python's date/time objects (an int is written too, but
        # with an IgnoredLogicalType warning), and reads them back as such objects.
        if lt == "date":
            return EPOCH_DATE + datetime.timedelta(days=number)
        if lt in ("time-millis", "time-micros"):
            micros = number * 1000 if lt == "time-millis" else number
            return (MIDNIGHT + datetime.timedelta(microseconds=micros)).time()
        if lt in ("timestamp-millis", "timestamp-micros"):
            micros = number * 1000 if lt == "timestamp-millis" else number
            return EPOCH + datetime.timedelta(microseconds=micros)
        return number
    if kind == "float" or kind == "double":
        return read_real(value)
    if kind == "string":
        return read_text(value)
    if kind == "bytes":
        if lt == "decimal":
            return _decimal(schema, value)
        return read_bytes(value)
    if kind == "fixed":
        if lt == "decimal":
            return _decimal(schema, value)
        data = read_bytes(value)
        if len(data) != schema.size:
            raise NotationError(f"fixed {schema.fullname} takes {schema.size} bytes, got {len(data)}")
        return data
    if kind == "enum":
        if value not in schema.symbols:
            raise NotationError(f"{value!r} is not a symbol of {schema.fullname}")
        return value
    if kind == "array":
        return [to_python(schema.items, item) for item in value]
    if kind == "map":
        return {key: to_python(schema.values, item) for key, item in value.items()}
    if kind in ("record", "error", "request"):
        if not isinstance(value, dict):
            raise NotationError(f"expected an object for {kind}, got {value!r}")
        unknown = set(value) - {field.name for field in schema.fields}
        if unknown:
            raise NotationError(f"fields {sorted(unknown)} are not in {schema}")
        return {field.name: to_python(field.type, value[field.name]) for field in schema.fields if field.name in value}
    if kind in ("union", "error_union"):
        if value is None:
            union_branch(schema, "null")
            return None
        if not isinstance(value, dict) or len(value) != 1:
            raise NotationError(f"a union value is null or {{branch: value}}, got {value!r}")
        (name, inner), = value.items()
        return to_python(union_branch(schema, name), inner)
    raise NotationError(f"unsupported schema type {kind}")


def _decimal(schema, value):
    if not (isinstance(value, dict) and set(value) == {"$decimal"}):
        raise NotationError(f"not a decimal notation: {value!r}")
    scale = schema.get_prop("scale") or 0
    number = decimal.Decimal(value["$decimal"])
    # The scale comes from the schema: give the Decimal exactly that exponent. (avro 1.12.2's
    # write_decimal_bytes ignores a smaller exponent: Decimal("1.5") at scale 4 would go out as 0.0015.)
    scaled = number.quantize(decimal.Decimal(1).scaleb(-scale), context=decimal.Context(prec=100))
    if scaled != number:
        raise NotationError(f"{value['$decimal']} has more digits than scale {scale}")
    return scaled


def _float_bits(kind, number):
    return struct.pack("<f" if kind == "float" else "<d", number)


def same(schema, a, b):
    """True when a and b are equal under the suite's rules, read against schema."""
    kind = schema.type
    if kind in ("float", "double"):
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or isinstance(a, bool) or isinstance(b, bool):
            return False
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        try:
            return _float_bits(kind, a) == _float_bits(kind, b)
        except OverflowError:
            return False
    if kind in ("union", "error_union"):
        if a is None or b is None:
            return a is None and b is None
        # Python values carry no branch: take the branch the library itself would write them with.
        branch_a, branch_b = chosen_branch(schema, a), chosen_branch(schema, b)
        return branch_a is not None and branch_a is branch_b and same(branch_a, a, b)
    if kind == "array":
        return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(same(schema.items, x, y) for x, y in zip(a, b))
    if kind == "map":
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(same(schema.values, a[k], b[k]) for k in a)
    if kind in ("record", "error", "request"):
        return isinstance(a, dict) and isinstance(b, dict) and all(same(f.type, a.get(f.name), b.get(f.name)) for f in schema.fields)
    if kind == "boolean" or kind == "null":
        return a is b
    if kind in ("int", "long") and logical(schema) is None:
        return type(a) is int and type(b) is int and a == b
    return type(a) is type(b) and a == b


def chosen_branch(union, value):
    """The union branch avro's DatumWriter.write_union picks for value: the last one that validates."""
    chosen = None
    for branch in union.schemas:
        if avro.io.validate(branch, value):
            chosen = branch
    return chosen


def to_notation(schema, value):
    """Python value -> notation, for diagnostics. Never raises: shows what it cannot map as repr."""
    try:
        return _to_notation(schema, value)
    except Exception:  # a diagnostic must not hide the failure it describes
        return {"$python": repr(value)[:2000]}


def _to_notation(schema, value):
    kind = schema.type
    lt = logical(schema)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        if isinstance(value, datetime.datetime):
            micros = (value - EPOCH) // datetime.timedelta(microseconds=1)
            number = micros // 1000 if lt == "timestamp-millis" else micros
        elif isinstance(value, datetime.date):
            number = (value - EPOCH_DATE).days
        else:
            micros = (datetime.datetime.combine(MIDNIGHT, value) - MIDNIGHT) // datetime.timedelta(microseconds=1)
            number = micros // 1000 if lt == "time-millis" else micros
        return integer_notation(number)
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if kind in ("int", "long") and type(value) is int:
        return integer_notation(value)
    if kind in ("float", "double") and isinstance(value, float):
        return float_notation(value)
    if kind in ("bytes", "fixed") and isinstance(value, bytes):
        return bytes_notation(value)
    if kind == "string" and isinstance(value, str):
        return text_notation(value)
    if kind == "array" and isinstance(value, list):
        return [_to_notation(schema.items, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _to_notation(schema.values, v) for k, v in value.items()}
    if kind in ("record", "error", "request") and isinstance(value, dict):
        return {f.name: _to_notation(f.type, value.get(f.name)) for f in schema.fields}
    if kind in ("union", "error_union"):
        if value is None:
            return None
        branch = chosen_branch(schema, value)
        if branch is None:
            return {"$python": repr(value)[:2000]}
        return {branch_name(branch): _to_notation(branch, value)}
    return value
