"""The value notation of suites/thrift/data/README.md, read against IDL types.

`to_python` turns notation into the values the thrift runtime takes; `canonical` turns a value
the runtime produced into a plain, order-free, bit-exact form, so that an expected and an actual
answer compare with == and print readably in TAP.
"""
import json
import math
import uuid

from idl import STRUCTS, Type

DOUBLES = {'NaN': math.nan, 'Infinity': math.inf, '-Infinity': -math.inf, '-0.0': -0.0}


class Written:
    """A struct value written with another struct's definition ({"$as": ..., "value": ...})."""

    def __init__(self, struct, value):
        self.struct, self.value = struct, value


def expand_bytes(v):
    if '$hex' in v:
        return bytes.fromhex(v['$hex'])
    if '$range' in v:
        low, high = v['$range']
        return bytes(range(low, high + 1))
    if '$repeat' in v:
        return bytes.fromhex(v['$repeat']['hex']) * v['$repeat']['count']
    raise ValueError(f'bad binary notation {v!r}')


def expand_text(v):
    if isinstance(v, dict) and '$text' in v:
        t = v['$text']
        return t.get('prefix', '') + t['repeat'] * t['count']
    if not isinstance(v, str):
        raise ValueError(f'bad string notation {v!r}')
    return v


def parse_uuid(v):
    value = uuid.UUID(v)
    if str(value) != v:
        raise ValueError(f'{v!r} is not a canonical lowercase uuid')
    return value


def to_python(idl, t, v):
    """Notation -> the Python value for type t. A struct's absent fields stay unset (None)."""
    if v is None:
        return None
    kind = t.kind
    if kind in ('bool', 'i8', 'i16', 'i32'):
        return v
    if kind == 'i64':
        return int(v)
    if kind == 'double':
        return DOUBLES[v] if isinstance(v, str) else float(v)
    if kind == 'string':
        return expand_text(v)
    if kind == 'binary':
        return expand_bytes(v)
    if kind == 'uuid':
        return parse_uuid(v)
    if kind == 'enum':
        return idl.enums[t.name][v]
    if kind in STRUCTS:
        if isinstance(v, dict) and '$as' in v:
            return Written(v['$as'], to_python(idl, t.named(v['$as']), v['value']))
        cls = idl.struct(t.name)
        fields = {f.name: f for f in cls.fields}
        unknown = set(v) - set(fields)
        if unknown:
            raise ValueError(f'{t.name} has no fields {sorted(unknown)}')
        obj = cls(**{name: to_python(idl, fields[name].type, value) for name, value in v.items()})
        # The constructor filled in IDL defaults; the notation says exactly which fields are set.
        for name in fields:
            if name not in v:
                setattr(obj, name, None)
        return obj
    if kind == 'list':
        return [to_python(idl, t.elem, x) for x in v]
    if kind == 'set':
        return {to_python(idl, t.elem, x) for x in v}
    if kind == 'map':
        return {to_python(idl, t.key, k): to_python(idl, t.value, x) for k, x in v}
    raise ValueError(f'unhandled type {kind}')


def canonical(idl, t, v):
    """A runtime value of type t -> plain JSON-able data, equal exactly when the values are."""
    if v is None or t is None:
        return None
    kind = t.kind
    if kind == 'i64':
        return str(v) if abs(v) > 2 ** 53 else v
    if kind == 'double':
        if math.isnan(v):
            return 'NaN'
        if math.isinf(v):
            return 'Infinity' if v > 0 else '-Infinity'
        if v == 0 and math.copysign(1, v) < 0:
            return '-0.0'
        return v
    if kind == 'binary':
        return {'$hex': bytes(v).hex()}
    if kind == 'uuid':
        return str(v)
    if kind == 'enum':
        names = {value: name for name, value in idl.enums[t.name].items()}
        return names.get(v, v)
    if kind in STRUCTS:
        out = {}
        for f in idl.struct(t.name).fields:
            value = getattr(v, f.name, None)
            if value is not None:
                out[f.name] = canonical(idl, f.type, value)
        return out
    if kind == 'list':
        return [canonical(idl, t.elem, x) for x in v]
    if kind == 'set':
        return sorted((canonical(idl, t.elem, x) for x in v), key=json.dumps)
    if kind == 'map':
        pairs = [[canonical(idl, t.key, k), canonical(idl, t.value, x)] for k, x in v.items()]
        return sorted(pairs, key=lambda p: json.dumps(p[0]))
    return v


def expected(idl, t, v):
    """The canonical form of an expected value given in notation."""
    return canonical(idl, t, to_python(idl, t, v))


__all__ = ['Type', 'Written', 'canonical', 'expand_bytes', 'expected', 'to_python']
