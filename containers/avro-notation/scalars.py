"""The case notation of scalar values (suites/avro/data/README.md), read and written without a
schema: the part every Python Avro peer reads alike, whatever its schemas are. Standard library only
(avro-tools' wrapper has no avro package).

read_*   notation -> a plain Python value; NotationError when the value is not that notation
*_notation   a Python value -> notation; bytes_notation and text_notation shorten long values,
             for diagnostics only
"""

import math

SPECIAL_FLOATS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0.0": -0.0}


class NotationError(ValueError):
    """The case data does not fit the schema: a bug in the case, not in a peer."""


def read_bytes(value):
    if isinstance(value, dict) and len(value) == 1:
        (key, arg), = value.items()
        if key == "$hex":
            return bytes.fromhex(arg)
        if key == "$range":
            return bytes(range(arg[0], arg[1] + 1))
        if key == "$repeat":
            return bytes.fromhex(arg["hex"]) * arg["count"]
    raise NotationError(f"not a bytes notation: {value!r}")


def read_text(value):
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {"$text"}:
        spec = value["$text"]
        return spec.get("prefix", "") + spec["repeat"] * spec["count"]
    raise NotationError(f"not a string notation: {value!r}")


def read_integer(value):
    # Longs beyond 2^53 arrive as strings of digits; JSON numbers are exact below that.
    if isinstance(value, bool):
        raise NotationError(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 10)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise NotationError(f"not an integer: {value!r}")


def read_real(value):
    if isinstance(value, str):
        if value not in SPECIAL_FLOATS:
            raise NotationError(f"not a float notation: {value!r}")
        return SPECIAL_FLOATS[value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NotationError(f"not a number: {value!r}")
    return float(value)


def integer_notation(number):
    return number if abs(number) <= 2**53 else str(number)


def float_notation(number):
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0 and math.copysign(1, number) < 0:
        return "-0.0"
    return number


def bytes_notation(data):
    if len(data) > 64:
        if data == data[:1] * len(data):
            return {"$repeat": {"hex": data[:1].hex(), "count": len(data)}}
        return {"$hex": data[:32].hex() + "...", "length": len(data)}
    return {"$hex": data.hex()}


def text_notation(text):
    if len(text) > 256:
        return f"{text[:200]}... ({len(text)} characters)"
    return text
