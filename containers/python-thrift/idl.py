"""The conformance IDL as Python classes, built at start-up from the compiler's JSON description.

Debian's thrift compiler (0.19) stops on `uuid` with `--gen py`, but its `--gen json` describes the
whole IDL. From that description this module builds what `--gen py:dynamic` would have generated:
one class per struct, union, exception and per function's argument and result structs, each with
a `thrift_spec` tuple in the generator's layout (indexed by field id, None in the gaps, struct
references wired by thrift's own `TRecursive.fix_spec`). Reading and writing is the runtime's own
code: `TBase.read`/`write` hand the spec to the C extension (`fastbinary`) when the protocol is
accelerated and to `TProtocolBase.readStruct`/`writeStruct` otherwise.

Runtimes older than 0.23 have no `TType.UUID`: the structs and functions that need it are left out
and listed in `Idl.unavailable`, with the reason.
"""
import copy
import json

from thrift.Thrift import TType
from thrift.TRecursive import fix_spec
from thrift.protocol.TBase import TBase, TExceptionBase

UUID_TTYPE = getattr(TType, 'UUID', None)

TTYPES = {
    'bool': TType.BOOL, 'i8': TType.BYTE, 'i16': TType.I16, 'i32': TType.I32, 'i64': TType.I64,
    'double': TType.DOUBLE, 'string': TType.STRING, 'binary': TType.STRING, 'enum': TType.I32,
    'struct': TType.STRUCT, 'union': TType.STRUCT, 'exception': TType.STRUCT,
    'list': TType.LIST, 'set': TType.SET, 'map': TType.MAP, 'uuid': UUID_TTYPE,
}
STRUCTS = ('struct', 'union', 'exception')


class Unavailable(Exception):
    """A type this runtime cannot encode (uuid before thrift 0.23)."""


class Type:
    """A type from the JSON description: `kind` is its typeId; `name` names a struct or enum."""

    def __init__(self, kind, name=None, elem=None, key=None, value=None):
        self.kind, self.name, self.elem, self.key, self.value = kind, name, elem, key, value

    @classmethod
    def parse(cls, holder, prefix=''):
        """The type of a field, argument or container part: `typeId` plus `type` when complex."""
        kind = holder[prefix + 'TypeId'] if prefix else holder['typeId']
        detail = holder.get(prefix + 'Type' if prefix else 'type') or {}
        if kind in ('list', 'set'):
            return cls(kind, elem=cls.parse(detail, 'elem'))
        if kind == 'map':
            return cls(kind, key=cls.parse(detail, 'key'), value=cls.parse(detail, 'value'))
        return cls(kind, name=detail.get('class'))

    def named(self, name):
        """This struct type under another struct's name (a struct written as another)."""
        return Type(self.kind, name=name)

    def ttype(self):
        ttype = TTYPES[self.kind]
        if ttype is None:
            raise Unavailable(f'this thrift runtime has no TType.UUID ({self.kind})')
        return ttype


class Field:
    def __init__(self, fid, name, type_, required='req_out', default=None):
        self.id, self.name, self.type, self.required, self.default = fid, name, type_, required, default

    @classmethod
    def parse(cls, spec):
        return cls(spec['key'], spec['name'], Type.parse(spec), spec.get('required', 'req_out'), spec.get('default'))


class Function:
    """One service function: its argument and result classes, as the generator would make them."""

    def __init__(self, idl, service, spec):
        self.idl = idl
        self.service = service
        self.name = spec['name']
        self.oneway = spec['oneway']
        self.arguments = [Field.parse(a) for a in spec['arguments']]
        self.returns = None if spec['returnTypeId'] == 'void' else Type.parse(spec, 'return')
        self.exceptions = [Field.parse(e) for e in spec['exceptions']]
        self._variants = {}
        self.args = self.args_with({})
        self.result = None if self.oneway else self.result_as(None)

    def args_with(self, written_as):
        """The argument class; `written_as` maps a parameter to the struct written in its place."""
        key = ('args', tuple(sorted(written_as.items())))
        if key not in self._variants:
            fields = [Field(a.id, a.name, a.type.named(written_as[a.name]) if a.name in written_as else a.type)
                      for a in self.arguments]
            self._variants[key] = self.idl.make_class(f'{self.name}_args', fields, TBase)
        return self._variants[key]

    def result_as(self, answer_struct):
        """The result class; `answer_struct` names a struct written in place of the declared answer."""
        key = ('result', answer_struct)
        if key not in self._variants:
            fields = []
            if self.returns is not None:
                returns = self.returns.named(answer_struct) if answer_struct else self.returns
                fields.append(Field(0, 'success', returns))
            fields += self.exceptions
            self._variants[key] = self.idl.make_class(f'{self.name}_result', fields, TBase)
        return self._variants[key]


class Idl:
    def __init__(self, path):
        with open(path) as f:
            description = json.load(f)
        self.enums = {e['name']: {m['name']: m['value'] for m in e['members']} for e in description['enums']}
        self.definitions = {s['name']: s for s in description['structs']}
        self.classes = {}
        self.unavailable = {}  # struct or Service.function -> why this runtime cannot have it
        # Classes first (specs refer to them), then their specs, then thrift's own wiring of the
        # struct references inside the specs.
        for name, definition in self.definitions.items():
            base = TExceptionBase if definition['isException'] else TBase
            self.classes[name] = type(name, (base,), {'thrift_spec': None})
        built = []
        for name, definition in self.definitions.items():
            try:
                self._complete(self.classes[name], [Field.parse(f) for f in definition['fields']])
                built.append(self.classes[name])
            except Unavailable as why:
                self.unavailable[name] = str(why)
        self._spread_unavailability()
        fix_spec([c for c in built if c.__name__ not in self.unavailable])
        self.services = {}
        for service in description['services']:
            functions = {}
            for spec in service['functions']:
                try:
                    functions[spec['name']] = Function(self, service['name'], spec)
                except Unavailable as why:
                    self.unavailable[f"{service['name']}.{spec['name']}"] = str(why)
            self.services[service['name']] = functions

    def _spread_unavailability(self):
        # A struct that holds an unavailable struct is unavailable too.
        changed = True
        while changed:
            changed = False
            for name, definition in self.definitions.items():
                if name in self.unavailable:
                    continue
                for field in definition['fields']:
                    missing = self._unavailable_in(Type.parse(field))
                    if missing:
                        self.unavailable[name] = f'holds {missing}: {self.unavailable[missing]}'
                        changed = True
                        break

    def _unavailable_in(self, t):
        if t.kind in STRUCTS:
            return t.name if t.name in self.unavailable else None
        for part in (t.elem, t.key, t.value):
            if part is not None:
                found = self._unavailable_in(part)
                if found:
                    return found
        return None

    def struct(self, name):
        if name in self.unavailable:
            raise Unavailable(f'{name}: {self.unavailable[name]}')
        return self.classes[name]

    def function(self, service, name):
        key = f'{service}.{name}'
        if key in self.unavailable:
            raise Unavailable(f'{key}: {self.unavailable[key]}')
        return self.services[service][name]

    # ---- classes and specs in the generator's layout ----

    def make_class(self, name, fields, base):
        cls = type(name, (base,), {'thrift_spec': None})
        self._complete(cls, fields)
        fix_spec([cls])
        return cls

    def _complete(self, cls, fields):
        """Gives a class its slots' worth of attributes, its IDL defaults and its thrift_spec."""
        for f in fields:
            missing = self._unavailable_in(f.type)
            if missing:
                raise Unavailable(f'{cls.__name__} holds {missing}: {self.unavailable[missing]}')
        size = max((f.id for f in fields), default=0) + 1
        spec = [None] * size
        for f in fields:
            spec[f.id] = (f.id, f.type.ttype(), f.name, self._spec_args(f.type), self._default(f))
        # Result structs without a success field start at id 1 (index 0 stays None); an empty
        # struct's spec is empty, as the generator writes it.
        cls.thrift_spec = tuple(spec) if fields else ()
        cls.field_names = tuple(f.name for f in fields)
        cls.fields = tuple(fields)

        def __init__(self, **values):
            for f in fields:
                value = values.pop(f.name) if f.name in values else copy.deepcopy(self.thrift_spec[f.id][4])
                object.__setattr__(self, f.name, value)
            if values:
                raise TypeError(f'{type(self).__name__} has no fields {sorted(values)}')

        cls.__init__ = __init__
        # TBase's __repr__ and __eq__ walk __slots__ (the generator's `slots` option); these
        # classes keep their fields in a __dict__, so they get both from the field names.
        cls.__repr__ = lambda self: '%s(%s)' % (type(self).__name__, ', '.join(
            f'{n}={getattr(self, n)!r}' for n in type(self).field_names))
        cls.__eq__ = lambda self, other: type(self) is type(other) and all(
            getattr(self, n) == getattr(other, n) for n in type(self).field_names)
        cls.__hash__ = None

    def _spec_args(self, t):
        if t.kind == 'string':
            return 'UTF8'
        if t.kind == 'binary':
            return 'BINARY'
        if t.kind in STRUCTS:
            return [self.classes[t.name], None]
        if t.kind in ('list', 'set'):
            return (t.elem.ttype(), self._spec_args(t.elem), False)
        if t.kind == 'map':
            return (t.key.ttype(), self._spec_args(t.key), t.value.ttype(), self._spec_args(t.value), False)
        return None

    @staticmethod
    def _default(field):
        # Defaults in this IDL are scalars (enums by value) and a list of i32: the JSON value is
        # the Python value. Anything else would need a conversion this IDL has not needed yet.
        if field.default is None:
            return None
        if field.type.kind in ('bool', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'enum') or (
                field.type.kind == 'list' and field.type.elem.kind in ('i32', 'i64', 'string')):
            return field.default
        raise ValueError(f'default of {field.name} ({field.type.kind}) is not supported')
