"""Reads back what `python -m avro.tool rpcsend` prints: `print(response)`, Python's repr of the
value avro decoded (dicts, lists, bytes literals, nan/inf, Decimal, datetime objects).

Only literal forms and the few constructors avro's values print as are accepted; nothing is
evaluated as code.
"""

import ast
import datetime
import decimal
import math
import re
import uuid

# avro's UTC tzinfo has no repr of its own: "<avro.timezones.UTCTzinfo object at 0x7f...>".
_TZ_OBJECT = re.compile(r"<avro\.timezones\.\w+ object at 0x[0-9a-fA-F]+>")

_NAMES = {"nan": math.nan, "inf": math.inf, "None": None, "True": True, "False": False}
_CALLS = {
    "Decimal": decimal.Decimal,
    "UUID": uuid.UUID,
    "datetime.date": datetime.date,
    "datetime.time": datetime.time,
    "datetime.datetime": datetime.datetime,
    "datetime.timezone": datetime.timezone,
    "datetime.timedelta": datetime.timedelta,
}


class ReprError(ValueError):
    pass


def parse(text):
    text = _TZ_OBJECT.sub("__utc__", text.strip())
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ReprError(f"not a Python value: {error}") from None
    return _value(tree.body)


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    raise ReprError(f"unexpected {ast.dump(node)[:200]}")


def _value(node):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List):
        return [_value(item) for item in node.elts]
    if isinstance(node, ast.Tuple):
        return tuple(_value(item) for item in node.elts)
    if isinstance(node, ast.Dict):
        return {_value(k): _value(v) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _value(node.operand)
        if isinstance(operand, bool) or not isinstance(operand, (int, float)):
            raise ReprError("a sign before something that is not a number")
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Name):
        if node.id == "__utc__":
            return datetime.timezone.utc
        if node.id in _NAMES:
            return _NAMES[node.id]
    if isinstance(node, ast.Attribute) and _dotted(node) == "datetime.timezone.utc":
        return datetime.timezone.utc
    if isinstance(node, ast.Call):
        name = _dotted(node.func)
        if name in _CALLS:
            return _CALLS[name](*[_value(a) for a in node.args], **{k.arg: _value(k.value) for k in node.keywords})
    raise ReprError(f"unexpected {ast.dump(node)[:200]}")
